package saelab.web;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

/** Path and query parameters of the API, checked: one sentence naming the parameter and what was expected. */
final class Params {

    private Params() {}

    /** A path parameter that must be a decimal integer in {@code [0, 2^31)}. */
    static int nonNegativeInt(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!v.matches("[0-9]{1,9}")) {
            throw new BadRequestResponse("path parameter '" + name + "' is '" + printable(v) + "'; expected a non-negative integer");
        }
        return Integer.parseInt(v);
    }

    /** A value cut to 60 printable ASCII characters, for error messages that echo what the client sent. */
    static String printable(String v) {
        String s = v.replaceAll("[^\\x20-\\x7e]", "?");
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
