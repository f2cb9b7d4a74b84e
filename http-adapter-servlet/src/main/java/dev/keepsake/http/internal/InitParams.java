package dev.keepsake.http.internal;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.http.BasicAuthenticator;
import dev.keepsake.http.HttpAdapterConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Builds an {@link HttpAdapterConfig} from servlet init parameters ({@code web.xml}). Names: {@code max-upload-size}
 * (bytes, or with a KiB/MiB/GiB suffix), {@code max-parts}, {@code upload-idle-timeout} and {@code upload-deadline}
 * (ISO-8601 durations such as {@code PT60S}), {@code temp-directory}, {@code realm}, {@code built-in-authentication}
 * ({@code true}/{@code false}), {@code basic-user} and {@code basic-password-hash}
 * ({@code pbkdf2-sha256$iterations$salt$hash}), {@code required-role}, {@code csrf-protection}, {@code allowed-origins}
 * (separated by commas or spaces), {@code max-failure-delay}. A plaintext password is deliberately not accepted.
 */
public final class InitParams {

    private InitParams() {
    }

    /**
     * @param param        the init parameter lookup ({@code null} for unset)
     * @param defaultTemp  the temp directory when none is configured (the container's context temp dir)
     * @throws InvalidConfigurationException listing every problem
     */
    public static HttpAdapterConfig toConfig(Function<String, String> param, Path defaultTemp) {
        List<String> problems = new ArrayList<>();
        HttpAdapterConfig.Builder b = HttpAdapterConfig.builder();
        String v;
        if ((v = param.apply("max-upload-size")) != null) {
            try {
                b.maxUploadSize(size(v));
            } catch (IllegalArgumentException e) {
                problems.add("max-upload-size '" + v + "' is not a size: use bytes or e.g. 10GiB");
            }
        }
        if ((v = param.apply("max-parts")) != null) {
            try {
                b.maxParts(Integer.parseInt(v.strip()));
            } catch (NumberFormatException e) {
                problems.add("max-parts '" + v + "' is not a number");
            }
        }
        b.uploadIdleTimeout(duration(param, "upload-idle-timeout", HttpAdapterConfig.DEFAULT_UPLOAD_IDLE_TIMEOUT, problems));
        b.uploadDeadline(duration(param, "upload-deadline", HttpAdapterConfig.DEFAULT_UPLOAD_DEADLINE, problems));
        b.maxFailureDelay(duration(param, "max-failure-delay", HttpAdapterConfig.DEFAULT_MAX_FAILURE_DELAY, problems));
        v = param.apply("temp-directory");
        b.tempDirectory(v != null ? Path.of(v.strip()) : defaultTemp);
        if ((v = param.apply("realm")) != null) {
            b.realm(v.strip());
        }
        boolean builtIn = bool(param, "built-in-authentication", true, problems);
        if (builtIn) {
            if (param.apply("required-role") != null) {
                problems.add("required-role applies to container-managed security only: set "
                        + "built-in-authentication=false, or remove required-role");
            }
            String user = param.apply("basic-user");
            String hash = param.apply("basic-password-hash");
            if (user == null || hash == null) {
                problems.add("built-in authentication needs init parameters basic-user and basic-password-hash "
                        + "(pbkdf2-sha256$iterations$salt$hash), or built-in-authentication=false for "
                        + "container-managed security");
            } else {
                try {
                    b.authenticator(BasicAuthenticator.withPasswordHash(user.strip(), hash.strip()));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        } else {
            b.containerManagedSecurity(param.apply("required-role"));
        }
        b.csrfProtection(bool(param, "csrf-protection", true, problems));
        if ((v = param.apply("allowed-origins")) != null) {
            for (String o : v.split("[,\\s]+")) {
                if (!o.isBlank()) {
                    try {
                        b.allowOrigin(URI.create(o.strip()));
                    } catch (IllegalArgumentException e) {
                        problems.add("allowed origin '" + o + "' is not a URI");
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException("invalid init parameters of the maintenance servlet: "
                    + String.join("; ", problems));
        }
        return b.build();
    }

    static long size(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] s : new String[][]{{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                {"tib", "1099511627776"}, {"b", "1"}}) {
            if (t.endsWith(s[0])) {
                unit = Long.parseLong(s[1]);
                t = t.substring(0, t.length() - s[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(text);
        }
    }

    private static Duration duration(Function<String, String> param, String name, Duration dflt, List<String> problems) {
        String v = param.apply(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Duration.parse(v.strip());
        } catch (DateTimeParseException e) {
            problems.add(name + " '" + v + "' is not an ISO-8601 duration such as PT60S or PT4H");
            return dflt;
        }
    }

    private static boolean bool(Function<String, String> param, String name, boolean dflt, List<String> problems) {
        String v = param.apply(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                problems.add(name + " '" + v + "' must be true or false");
                yield dflt;
            }
        };
    }
}
