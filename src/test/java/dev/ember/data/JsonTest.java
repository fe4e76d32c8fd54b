package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void stringArraysRoundTripWithEscapes() {
        List<String> names = List.of("T-shirt/top", "say \"hi\"", "back\\slash", "tab\there", "Zürich");
        String json = Json.stringArray(names);
        assertEquals(names, Json.parseStringArray(json));
        assertEquals("[\"a\",\"b\"]", Json.stringArray(List.of("a", "b")));
    }

    @Test
    void parsesObjectsArraysNumbersAndLiterals() {
        Object value = Json.parse(" {\"data\": [0, 0.5, 1e-3, -2], \"ok\": true, \"none\": null, \"s\": \"\\u00e9\"} ");
        Map<?, ?> map = (Map<?, ?>) value;
        assertEquals(List.of(0.0, 0.5, 0.001, -2.0), map.get("data"));
        assertEquals(Boolean.TRUE, map.get("ok"));
        assertTrue(map.containsKey("none"));
        assertEquals("é", map.get("s"));
    }

    @Test
    void errorsGiveLineAndColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": [1,\n 2,, 3]}"));
        assertEquals("unexpected character ',' at line 2, column 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parseStringArray("[\"a\", 1]"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }
}
