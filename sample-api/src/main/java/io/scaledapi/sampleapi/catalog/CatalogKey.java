package io.scaledapi.sampleapi.catalog;

/** What can be read from the catalog: one item, or one page of items. */
public sealed interface CatalogKey {

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
