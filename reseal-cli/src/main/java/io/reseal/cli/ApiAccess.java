package io.reseal.cli;

/** How the CLI talks to the API: the token ({@code --token}, else {@code RESEAL_API_TOKEN}) and its errors. */
final class ApiAccess {

    private ApiAccess() {}

    static String required(String option) {
        String token = option != null ? option : System.getenv("RESEAL_API_TOKEN");
        if (token == null || token.isBlank()) {
            throw new UserFacingException("no API token: pass --token or set RESEAL_API_TOKEN (./reseal local prints one)");
        }
        return token;
    }

    /** The one line for an API that does not answer. */
    static UserFacingException unreachable(java.net.URI api) {
        return new UserFacingException("cannot reach the API at " + api
                + ": connection refused (is ./reseal local or the rotation-producer running? see --api)");
    }
}
