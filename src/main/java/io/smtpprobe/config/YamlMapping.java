package io.smtpprobe.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One YAML mapping being read into a record: typed access to its keys, with every problem added to a
 * shared error list under the key's full path. A value that is wrong yields null so that checks
 * depending on it are skipped rather than reporting a second, misleading error.
 */
final class YamlMapping {
    private static final int MAX_KEY_SHOWN = 40;

    private final JsonNode node;
    private final String path;
    private final List<String> errors;

    private YamlMapping(JsonNode node, String path, List<String> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /** A mapping at {@code path}; an absent or null node reads as an empty mapping. */
    static YamlMapping of(JsonNode node, String path, List<String> errors) {
        if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
            errors.add(prefix(path) + "must be a mapping of keys, found " + found(node));
            return new YamlMapping(null, path, errors);
        }
        return new YamlMapping(node == null || !node.isObject() ? null : node, path, errors);
    }

    String path() {
        return path;
    }

    List<String> errors() {
        return errors;
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Reports every key not in {@code allowed}, suggesting the nearest allowed one. */
    void allowOnly(String... allowed) {
        if (node == null) {
            return;
        }
        Set<String> known = Set.of(allowed);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                String nearest = Nearest.of(name, Arrays.asList(allowed));
                String hint = Nearest.distance(name, nearest) <= 2
                        ? "did you mean " + nearest + "?"
                        : "valid keys here: " + String.join(", ", allowed);
                // A key is shown cut short: a wrong file read as YAML has its lines as keys.
                String shown = ErrorText.escape(name);
                shown = shown.length() > MAX_KEY_SHOWN ? shown.substring(0, MAX_KEY_SHOWN - 3) + "..." : shown;
                errors.add(pathOf(shown) + ": unknown key; " + hint);
            }
        }
    }

    boolean has(String key) {
        return raw(key) != null;
    }

    /** The value under a key, or null when absent or written as null. */
    JsonNode raw(String key) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    void error(String key, String message) {
        errors.add(pathOf(key) + ": " + message);
    }

    /** An error about the mapping as a whole. */
    void error(String message) {
        errors.add(prefix(path) + message);
    }

    String string(String key, String absent) {
        JsonNode value = raw(key);
        if (value == null) {
            return absent;
        }
        if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
            error(key, "must be a text value, found " + found(value));
            return null;
        }
        return value.asText();
    }

    Integer integer(String key, int absent, int min, int max) {
        JsonNode value = raw(key);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber()) {
            error(key, "must be a whole number, found " + found(value));
            return null;
        }
        if (!value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            error(key, "must be between " + min + " and " + max + ", found " + value.asText());
            return null;
        }
        return value.asInt();
    }

    Boolean bool(String key, boolean absent) {
        JsonNode value = raw(key);
        if (value == null) {
            return absent;
        }
        if (!value.isBoolean()) {
            error(key, "must be true or false, found " + found(value));
            return null;
        }
        return value.asBoolean();
    }

    /** A duration of at most a day, the longest any duration in a config may be. */
    Duration duration(String key, Duration absent) {
        return duration(key, absent, ConfigLoader.MAX_INTERVAL);
    }

    /** A duration of at most {@code max}, so that nothing computed from it at run time can overflow. */
    Duration duration(String key, Duration absent, Duration max) {
        JsonNode value = raw(key);
        if (value == null) {
            return absent;
        }
        if (value.isNumber()) {
            error(key, "a duration needs a unit (ms, s, m or h), found " + value.asText());
            return null;
        }
        Duration parsed = value.isTextual() ? Syntax.parseDuration(value.asText()) : null;
        if (parsed == null) {
            error(key, "must be a duration like 500ms, 30s, 5m or 1h, found " + found(value));
        } else if (parsed.compareTo(max) > 0) {
            error(key, "must be at most " + Syntax.formatDuration(max) + ", found " + found(value));
            return null;
        }
        return parsed;
    }

    /** An enum value written in any case, e.g. {@code starttls: required}. */
    <E extends Enum<E>> E choice(String key, Class<E> type, E absent) {
        JsonNode value = raw(key);
        if (value == null) {
            return absent;
        }
        E[] constants = type.getEnumConstants();
        if (value.isBoolean()) {
            // YAML 1.1 reads a bare on/off as a boolean: take it back as the word that was written.
            value = TextNode.valueOf(value.asBoolean() ? "on" : "off");
        }
        if (value.isTextual()) {
            for (E constant : constants) {
                if (constant.name().equalsIgnoreCase(value.asText().trim())) {
                    return constant;
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : constants) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        error(key, "must be one of " + String.join(", ", names) + ", found " + found(value));
        return null;
    }

    YamlMapping mapping(String key) {
        return of(raw(key), pathOf(key), errors);
    }

    /** The items of a list, or an empty list when absent; null (with an error) when not a list. */
    List<JsonNode> list(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            error(key, "must be a list, found " + found(value));
            return null;
        }
        List<JsonNode> items = new ArrayList<>();
        value.forEach(items::add);
        return items;
    }

    /** How a value is shown in messages: quoted text, plain numbers, or its kind for structures. */
    static String found(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isTextual()) {
            return quote(value.asText());
        }
        return value.asText();
    }

    /** A value in a message: control characters escaped, cut at 80 characters. */
    static String quote(String text) {
        return ErrorText.quote(text, 80);
    }

    private static String prefix(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }
}
