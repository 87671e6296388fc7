package io.scaledapi.sampleapi.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class CatalogTest {

    private final JsonMapper json = new JsonMapper();

    @Test
    void itemsAreDeterministicValidJsonOfAboutThreeHundredBytes() {
        long total = 0;
        for (int id = 1; id <= Catalog.SIZE; id += 97) {
            byte[] bytes = Catalog.itemJson(id);
            assertThat(Catalog.itemJson(id)).isEqualTo(bytes);
            JsonNode item = json.readTree(new String(bytes, StandardCharsets.UTF_8));
            assertThat(item.get("id").asInt()).isEqualTo(id);
            assertThat(item.get("price").get("currency").asString()).isEqualTo("EUR");
            total += bytes.length;
        }
        long average = total / (Catalog.SIZE / 97 + 1);
        assertThat(average).isBetween(250L, 380L);
        assertThat(Catalog.itemJson(1)).isNotEqualTo(Catalog.itemJson(2));
    }

    @Test
    void pagesHoldTheRightItemsAndTheLastPageIsShort() {
        JsonNode page = json.readTree(Catalog.pageJson(2, 10));
        assertThat(page.get("items").size()).isEqualTo(10);
        assertThat(page.get("items").get(0).get("id").asInt()).isEqualTo(21);
        assertThat(page.get("totalPages").asInt()).isEqualTo(6000);

        JsonNode last = json.readTree(Catalog.pageJson(Catalog.pageCount(7) - 1, 7));
        assertThat(last.get("items").size()).isEqualTo(Catalog.SIZE % 7 == 0 ? 7 : Catalog.SIZE % 7);
        assertThat(last.get("items").get(last.get("items").size() - 1).get("id").asInt())
                .isEqualTo(Catalog.SIZE);
    }
}
