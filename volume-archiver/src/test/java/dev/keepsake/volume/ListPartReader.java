package dev.keepsake.volume;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.PartReader;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PartReader} that yields exactly the entries and bytes a test gives it — including ones the engine would
 * never let through (unsafe names, content longer or shorter than declared) — to test the volume's own validation
 * directly.
 */
final class ListPartReader implements PartReader {

    record Item(ArchiveEntry entry, byte[] content) {
    }

    private final String partName;
    private final List<Item> items;
    private final long totalBytes;
    private final long entryCount;
    private final Map<String, String> attributes;
    private final Iterator<Item> iterator;

    ListPartReader(String partName, List<Item> items, Long totalBytes, Long entryCount, Map<String, String> attributes) {
        this.partName = partName;
        this.items = new ArrayList<>(items);
        this.totalBytes = totalBytes != null ? totalBytes : items.stream().mapToLong(i -> i.entry().size()).sum();
        this.entryCount = entryCount != null ? entryCount : items.size();
        this.attributes = attributes;
        this.iterator = this.items.iterator();
    }

    static ListPartReader of(String partName, List<Item> items) {
        return new ListPartReader(partName, items, null, null, Map.of());
    }

    @Override
    public String partName() {
        return partName;
    }

    @Override
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public Optional<String> schemaVersion() {
        return Optional.empty();
    }

    @Override
    public long entryCount() {
        return entryCount;
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public Optional<Entry> next() {
        if (!iterator.hasNext()) {
            return Optional.empty();
        }
        Item item = iterator.next();
        InputStream content = new ByteArrayInputStream(item.content());
        return Optional.of(new Entry() {
            @Override
            public ArchiveEntry entry() {
                return item.entry();
            }

            @Override
            public InputStream content() {
                return content;
            }
        });
    }
}
