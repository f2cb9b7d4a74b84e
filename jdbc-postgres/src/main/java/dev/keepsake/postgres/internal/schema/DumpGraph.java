package dev.keepsake.postgres.internal.schema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The items of one extraction, the catalog rows that resolve to them, and the ordering: pg_depend edges between
 * items, folding of separable clauses (column defaults, CHECKs) into their CREATE unless that would make a cycle (the
 * way pg_dump breaks function/table cycles), moving pre-data items that depend on post-data ones, then a topological
 * sort that prefers pg_dump's type priorities and names. Confined to the extracting thread.
 */
final class DumpGraph {

    private static final Comparator<DumpItem> ORDER = Comparator.<DumpItem>comparingInt(i -> i.kind.priority)
            .thenComparing(i -> i.sortName)
            .thenComparingLong(i -> i.sequenceNumber);

    private final List<DumpItem> items = new ArrayList<>();
    private final Map<CatalogRef, DumpItem> byRef = new HashMap<>();
    private long nextSequence;

    DumpItem add(DumpItem.Kind kind, String inventoryKind, String sortName) {
        DumpItem item = new DumpItem(kind, inventoryKind, sortName, nextSequence++);
        items.add(item);
        return item;
    }

    /** Makes {@code ref} (the object itself or a part of it, e.g. a table's row type) resolve to {@code item}. */
    void bind(CatalogRef ref, DumpItem item) {
        byRef.put(ref, item);
    }

    DumpItem resolve(CatalogRef ref) {
        return byRef.get(ref);
    }

    DumpItem resolve(long classId, long objectId) {
        return byRef.get(CatalogRef.of(classId, objectId));
    }

    List<DumpItem> items() {
        return items;
    }

    /** Adds the dependency "{@code from} needs {@code to}" when both resolve to different items. */
    void addCatalogDependency(CatalogRef from, CatalogRef to) {
        DumpItem a = byRef.get(from);
        DumpItem b = byRef.get(to);
        if (a != null && b != null && a != b) {
            a.deps.add(b);
        }
    }

    /**
     * Folds each separable clause into its host unless one of the clause's other dependencies (transitively) needs
     * the host: then the clause stays a separate statement after both, as pg_dump does for such cycles.
     */
    void foldSeparableClauses() {
        for (DumpItem clause : items) {
            if (clause.host == null) {
                continue;
            }
            DumpItem host = clause.host;
            boolean cycle = false;
            for (DumpItem d : clause.deps) {
                if (d != host && reaches(d, host, clause)) {
                    cycle = true;
                    break;
                }
            }
            if (!cycle) {
                clause.inlined = true;
                for (DumpItem d : clause.deps) {
                    if (d != host) {
                        host.deps.add(d);
                    }
                }
                clause.deps.clear();
                clause.deps.add(host);
                clause.section = host.section;
            }
        }
    }

    private static boolean reaches(DumpItem start, DumpItem target, DumpItem skip) {
        Deque<DumpItem> stack = new ArrayDeque<>();
        Set<DumpItem> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        stack.push(start);
        while (!stack.isEmpty()) {
            DumpItem cur = stack.pop();
            if (cur == target) {
                return true;
            }
            if (cur == skip || !seen.add(cur)) {
                continue;
            }
            cur.deps.forEach(stack::push);
        }
        return false;
    }

    /** A pre-data item that needs a post-data item (e.g. a view grouping by a primary key) moves to post-data. */
    void moveDependentsOfPostData() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (DumpItem item : items) {
                if (item.section == Section.PRE_DATA) {
                    for (DumpItem d : item.deps) {
                        if (d.section == Section.POST_DATA) {
                            item.section = Section.POST_DATA;
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
    }

    /** The items of {@code section} in an order that satisfies every dependency. */
    List<DumpItem> order(Section section) {
        List<DumpItem> members = items.stream().filter(i -> i.section == section).collect(Collectors.toList());
        Set<DumpItem> memberSet = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        memberSet.addAll(members);
        Map<DumpItem, Integer> pending = new IdentityHashMap<>();
        Map<DumpItem, List<DumpItem>> dependents = new IdentityHashMap<>();
        for (DumpItem item : members) {
            int n = 0;
            for (DumpItem d : item.deps) {
                if (memberSet.contains(d)) {
                    n++;
                    dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(item);
                }
            }
            pending.put(item, n);
        }
        PriorityQueue<DumpItem> ready = new PriorityQueue<>(ORDER);
        members.stream().filter(i -> pending.get(i) == 0).forEach(ready::add);
        List<DumpItem> result = new ArrayList<>(members.size());
        while (!ready.isEmpty()) {
            DumpItem next = ready.poll();
            result.add(next);
            for (DumpItem dependent : dependents.getOrDefault(next, List.of())) {
                int left = pending.merge(dependent, -1, Integer::sum);
                if (left == 0) {
                    ready.add(dependent);
                }
            }
        }
        if (result.size() != members.size()) {
            Set<DumpItem> stuck = new HashSet<>(members);
            result.forEach(stuck::remove);
            String names = stuck.stream().sorted(ORDER).limit(20).map(DumpItem::toString)
                    .collect(Collectors.joining(", "));
            throw new IllegalStateException("Cannot order the schema: these objects depend on each other in a cycle "
                    + "that Keepsake cannot break: " + names);
        }
        return result;
    }

    /** Object kind to count, over the items that count (not the helper items). */
    Map<String, String> inventory() {
        Map<String, Integer> counts = new TreeMap<>();
        for (DumpItem item : items) {
            if (item.inventoryKind != null) {
                counts.merge(item.inventoryKind, 1, Integer::sum);
            }
        }
        Map<String, String> result = new TreeMap<>();
        counts.forEach((k, v) -> result.put(k, Integer.toString(v)));
        return result;
    }
}
