package dev.keepsake.http.internal;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** The {@code 202 Accepted} answer to a started operation. Stateless. */
public final class Accepted {

    private Accepted() {
    }

    /** Sends {@code 202} with {@code Location} (the status resource) and a small JSON body. */
    public static void send(HttpServletResponse resp, String statusLocation, byte[] json) throws IOException {
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
        resp.setHeader("Location", statusLocation);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(json.length);
        resp.getOutputStream().write(json);
        resp.flushBuffer();
    }
}
