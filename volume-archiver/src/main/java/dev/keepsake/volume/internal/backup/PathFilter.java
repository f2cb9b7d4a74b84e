package dev.keepsake.volume.internal.backup;

import java.util.List;

/** Include/exclude decisions for one volume's relative paths. Immutable. */
final class PathFilter {

    private final List<Glob> includes;
    private final List<Glob> excludes;

    PathFilter(List<String> includes, List<String> excludes) {
        this.includes = includes.stream().map(Glob::compile).toList();
        this.excludes = excludes.stream().map(Glob::compile).toList();
    }

    /** Whether an exclude pattern matches (for a directory: the whole subtree is left out). */
    boolean excluded(String relativePath) {
        return excludes.stream().anyMatch(g -> g.matches(relativePath));
    }

    /** Whether an include pattern matches the path itself (or there are no includes, so everything is included). */
    boolean included(String relativePath) {
        return includes.isEmpty() || includes.stream().anyMatch(g -> g.matches(relativePath));
    }
}
