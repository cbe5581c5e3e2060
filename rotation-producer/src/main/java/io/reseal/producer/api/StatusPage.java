package io.reseal.producer.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The read-only status page at {@code /}: static HTML, CSS and script that hold no data. The script asks
 * {@code GET /api/v1/rotations} with the token the user gives (kept in the tab's session storage, never in a URL
 * sent to the server), so the page shows exactly what that token may see. Served with a content security policy
 * that allows only this origin's own files. Immutable; the files are read once.
 */
final class StatusPage {

    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/status.js", "status.js", "/status.css", "status.css");
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8", "status.js", "text/javascript; charset=utf-8",
            "status.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> contents;

    StatusPage() {
        contents = Map.of("index.html", read("index.html"), "status.js", read("status.js"), "status.css", read("status.css"));
    }

    void routes(Router router) {
        FILES.forEach((path, file) -> router.get(path).handler(ctx -> serve(ctx, file)));
    }

    private void serve(RoutingContext ctx, String file) {
        ctx.response()
                .putHeader("Content-Type", TYPES.get(file))
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store")
                .end(io.vertx.core.buffer.Buffer.buffer(contents.get(file)));
    }

    private static byte[] read(String file) {
        try (InputStream in = StatusPage.class.getResourceAsStream("/io/reseal/producer/web/" + file)) {
            if (in == null) throw new IllegalStateException("missing resource " + file);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
