package saelab.config;

import java.util.Map;

/**
 * Parameters of one run of a notebook or command, read from environment variables so that the
 * notebook runner, CI and a person at a notebook all set them the same way.
 *
 * <ul>
 *   <li>{@code SAELAB_PROFILE} = {@code demo} (default) or {@code paper}: which data and which
 *       figure folder.</li>
 *   <li>{@code SAELAB_QUICK} = {@code 1}/{@code true}: quick mode, every notebook shrinks its sample
 *       sizes so the whole set runs in about a minute (tests use it). Default off.</li>
 * </ul>
 *
 * @param profile the data profile
 * @param quick   whether to use the small sizes
 */
public record RunSettings(Profile profile, boolean quick) {

    public static final String PROFILE_VAR = "SAELAB_PROFILE";
    public static final String QUICK_VAR = "SAELAB_QUICK";

    /** Settings from this process's environment. */
    public static RunSettings fromEnvironment() {
        return from(System.getenv());
    }

    /** Settings from a map of environment variables (missing variables take their defaults). */
    public static RunSettings from(Map<String, String> env) {
        String p = env.get(PROFILE_VAR);
        Profile profile = p == null || p.isBlank() ? Profile.DEMO : Profile.parse(p, "environment variable " + PROFILE_VAR);
        return new RunSettings(profile, parseFlag(env.get(QUICK_VAR)));
    }

    /** Chooses a size: {@code quickValue} in quick mode, {@code fullValue} otherwise. */
    public int size(int quickValue, int fullValue) {
        return quick ? quickValue : fullValue;
    }

    private static boolean parseFlag(String v) {
        if (v == null || v.isBlank()) {
            return false;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("environment variable " + QUICK_VAR + " is '" + v
                    + "'; expected 1/true/yes/on or 0/false/no/off");
        };
    }
}
