package io.scaledapi.sampleapi.catalog;

import io.scaledapi.sampleapi.cache.KeyCodec;

/** What can be read from the catalog: one item, or one page of items. */
public sealed interface CatalogKey {

    /** {@code item:ID} and {@code page:PAGE:SIZE}, as {@code toString} writes them. */
    KeyCodec<CatalogKey> CODEC = new KeyCodec<>() {
        @Override
        public String encode(CatalogKey key) {
            return key.toString();
        }

        @Override
        public CatalogKey decode(String text) {
            String[] parts = text.split(":", -1);
            try {
                if (parts.length == 2 && parts[0].equals("item")) {
                    return new Item(Integer.parseInt(parts[1]));
                }
                if (parts.length == 3 && parts[0].equals("page")) {
                    return new Page(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return null;
        }
    };

    record Item(int id) implements CatalogKey {
        @Override
        public String toString() {
            return "item:" + id;
        }
    }

    /** A page, numbered from 0. */
    record Page(int page, int size) implements CatalogKey {
        @Override
        public String toString() {
            return "page:" + page + ":" + size;
        }
    }
}
