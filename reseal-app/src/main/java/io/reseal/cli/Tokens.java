package io.reseal.cli;

/** Where the CLI finds the API token: {@code --token}, else {@code RESEAL_API_TOKEN}. */
final class Tokens {

    private Tokens() {}

    static String required(String option) {
        String token = option != null ? option : System.getenv("RESEAL_API_TOKEN");
        if (token == null || token.isBlank()) {
            throw new UserFacingException("no API token: pass --token or set RESEAL_API_TOKEN (./reseal local prints one)");
        }
        return token;
    }
}
