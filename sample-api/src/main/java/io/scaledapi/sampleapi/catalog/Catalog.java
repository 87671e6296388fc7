package io.scaledapi.sampleapi.catalog;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic catalog of {@value #SIZE} items, each about 300 bytes of JSON. The same id always gives
 * the same bytes, on every pod, so responses (and their ETags) agree across replicas.
 */
public final class Catalog {

    public static final int SIZE = 60_000;
    public static final int MAX_PAGE_SIZE = 100;

    private static final String[] ADJECTIVES = {
        "Sturdy",
        "Compact",
        "Classic",
        "Modern",
        "Rugged",
        "Elegant",
        "Light",
        "Quiet",
        "Smart",
        "Handmade",
        "Foldable",
        "Vintage"
    };
    private static final String[] MATERIALS = {
        "oak", "steel", "linen", "cotton", "walnut", "glass", "ceramic", "bamboo", "leather", "wool"
    };
    private static final String[] PRODUCTS = {
        "lamp",
        "chair",
        "kettle",
        "backpack",
        "desk",
        "blanket",
        "mug",
        "shelf",
        "jacket",
        "clock",
        "speaker",
        "planter"
    };
    private static final String[] CATEGORIES = {"home", "office", "kitchen", "outdoor", "apparel", "electronics"};
    private static final String[] BRANDS = {"Northwind", "Fjordline", "Acme", "Blue Harbor", "Kestrel", "Oakridge"};

    private Catalog() {}

    public static boolean contains(int id) {
        return id >= 1 && id <= SIZE;
    }

    public static int pageCount(int size) {
        return (SIZE + size - 1) / size;
    }

    public static byte[] itemJson(int id) {
        return appendItem(new StringBuilder(320), id).toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] pageJson(int page, int size) {
        int first = page * size + 1;
        int last = Math.min(SIZE, first + size - 1);
        StringBuilder json = new StringBuilder(64 + size * 320)
                .append("{\"page\":")
                .append(page)
                .append(",\"size\":")
                .append(size)
                .append(",\"totalItems\":")
                .append(SIZE)
                .append(",\"totalPages\":")
                .append(pageCount(size))
                .append(",\"items\":[");
        for (int id = first; id <= last; id++) {
            if (id > first) {
                json.append(',');
            }
            appendItem(json, id);
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    // Words come from the fixed lists above, so nothing here needs JSON escaping.
    private static StringBuilder appendItem(StringBuilder json, int id) {
        SplittableRandom random = new SplittableRandom(0x5CA1EDA91L * id);
        String adjective = pick(random, ADJECTIVES);
        String material = pick(random, MATERIALS);
        String product = pick(random, PRODUCTS);
        String category = pick(random, CATEGORIES);
        String brand = pick(random, BRANDS);
        int cents = 199 + random.nextInt(49_800);
        return json.append("{\"id\":")
                .append(id)
                .append(",\"sku\":\"SKU-")
                .append(String.format("%07d", id))
                .append('"')
                .append(",\"name\":\"")
                .append(adjective)
                .append(' ')
                .append(capitalize(material))
                .append(' ')
                .append(capitalize(product))
                .append('"')
                .append(",\"category\":\"")
                .append(category)
                .append('"')
                .append(",\"brand\":\"")
                .append(brand)
                .append('"')
                .append(",\"price\":{\"amount\":\"")
                .append(cents / 100)
                .append('.')
                .append(String.format("%02d", cents % 100))
                .append("\",\"currency\":\"EUR\"}")
                .append(",\"stock\":")
                .append(random.nextInt(500))
                .append(",\"rating\":")
                .append((10 + random.nextInt(41)) / 10.0)
                .append(",\"tags\":[\"")
                .append(material)
                .append("\",\"")
                .append(product)
                .append("\",\"")
                .append(category)
                .append("\"]")
                .append(",\"description\":\"")
                .append(adjective)
                .append(' ')
                .append(material)
                .append(' ')
                .append(product)
                .append(" by ")
                .append(brand)
                .append(", made to last and shipped within ")
                .append(1 + random.nextInt(5))
                .append(" days.\"")
                .append(",\"updatedAt\":\"2026-")
                .append(String.format("%02d", 1 + random.nextInt(12)))
                .append('-')
                .append(String.format("%02d", 1 + random.nextInt(28)))
                .append("T00:00:00Z\"}");
    }

    private static String pick(SplittableRandom random, String[] words) {
        return words[random.nextInt(words.length)];
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}
