package dev.keepsake.volume.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a symbolic link's target the way the kernel would, component by component, following the other links of
 * the volume, and says whether it ever leaves the volume. A purely lexical check is not enough: with
 * {@code z -> ../../..} at {@code x/y/z}, the target {@code x/y/z/q/../../../..} stays inside lexically but escapes
 * physically. Used on backup (links read from disk) and on restore (links from the archive), so both sides agree.
 * Stateless; thread-safe.
 */
public final class LinkResolver {

    /** Linux follows at most 40 links while resolving one path. */
    private static final int MAX_HOPS = 40;

    /** Looks up the target of the link at a volume-relative path, or null when that path is not a link. */
    @FunctionalInterface
    public interface Links {
        /** The link's target as stored (on disk or in the archive), or null when {@code relativePath} is no link. */
        String targetOf(String relativePath) throws IOException;
    }

    private LinkResolver() {
    }

    /**
     * Why the link at {@code linkName} with {@code target} leads outside the volume, or null when every step of its
     * resolution stays inside. Components that do not exist are treated as directories (conservative: the kernel
     * would fail there).
     */
    public static String escapeProblem(String linkName, String target, Links links) throws IOException {
        String textual = EntryNames.targetProblem(target);
        if (textual != null) {
            return textual;
        }
        Deque<String> resolved = new ArrayDeque<>(EntryNames.segments(linkName));
        resolved.removeLast(); // a link resolves relative to its directory
        Deque<String> remaining = new ArrayDeque<>(EntryNames.segments(target));
        int hops = 0;
        while (!remaining.isEmpty()) {
            String c = remaining.removeFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (resolved.isEmpty()) {
                    return "the link target leads outside the volume";
                }
                resolved.removeLast();
                continue;
            }
            resolved.addLast(c);
            String other = links.targetOf(String.join("/", resolved));
            if (other != null) {
                if (++hops > MAX_HOPS) {
                    return "the link target goes through more than " + MAX_HOPS + " links (a loop?)";
                }
                String via = String.join("/", resolved);
                String problem = EntryNames.targetProblem(other);
                if (problem != null) {
                    return "the link target goes through the link '" + EntryNames.display(via) + "', where "
                            + problem;
                }
                resolved.removeLast();
                List<String> parts = EntryNames.segments(other);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    remaining.addFirst(parts.get(i));
                }
            }
        }
        return null;
    }
}
