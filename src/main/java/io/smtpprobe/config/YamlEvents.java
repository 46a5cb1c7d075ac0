package io.smtpprobe.config;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * The YAML a config may not use, found in SnakeYAML's event stream, where each is visible with its
 * position. Jackson reads an alias ({@code username: *n}) as the text {@code n}, takes a merge key
 * ({@code <<}) for a key, reads tags its own way and ignores every document after the first: a config
 * that uses any of them would load as something other than what it says. So they are refused, each
 * with its line and column. Nothing else is judged here; the tree is built by Jackson afterwards.
 */
final class YamlEvents {
    /** Past this many, more of the same would not help anyone fix the file. */
    private static final int MAX_ERRORS = 10;
    private static final int MAX_NAME = 40;

    private YamlEvents() {}

    /**
     * Every unsupported construct in {@code text}, in order; empty when there is none. Throws
     * SnakeYAML's own exception for text that is not YAML at all.
     */
    static List<String> unsupported(String text) {
        Parser parser = new ParserImpl(new StreamReader(new StringReader(text)), new LoaderOptions());
        List<String> errors = new ArrayList<>();
        // For each open mapping, whether its next node is a key (keys and values alternate).
        Deque<boolean[]> mappings = new ArrayDeque<>();
        Deque<Boolean> inMapping = new ArrayDeque<>();
        int documents = 0;
        while (parser.peekEvent() != null && errors.size() < MAX_ERRORS) {
            Event event = parser.getEvent();
            switch (event.getEventId()) {
                case DocumentStart -> {
                    documents++;
                    if (documents == 2) {
                        errors.add(at(event.getStartMark()) + "a second YAML document starts here; a config is"
                                + " one document (remove the --- line and what follows, or merge the two)");
                    }
                }
                case MappingStart, SequenceStart, Scalar, Alias -> {
                    boolean isKey = false;
                    if (Boolean.TRUE.equals(inMapping.peek())) {
                        boolean[] expectKey = mappings.peek();
                        isKey = expectKey[0];
                        expectKey[0] = !expectKey[0];
                    }
                    node((NodeEvent) event, isKey, errors);
                    if (event instanceof CollectionStartEvent) {
                        boolean mapping = event.getEventId() == Event.ID.MappingStart;
                        inMapping.push(mapping);
                        if (mapping) {
                            mappings.push(new boolean[] {true});
                        }
                    }
                }
                case MappingEnd -> {
                    inMapping.pop();
                    mappings.pop();
                }
                case SequenceEnd -> inMapping.pop();
                default -> {
                    // stream start and end, document end, comments
                }
            }
        }
        return errors;
    }

    private static void node(NodeEvent event, boolean isKey, List<String> errors) {
        String where = at(event.getStartMark());
        if (event instanceof AliasEvent) {
            errors.add(where + "an alias (*" + name(event.getAnchor()) + ") repeats a value written elsewhere;"
                    + " aliases are not read here: write the value out");
            return;
        }
        if (event.getAnchor() != null) {
            errors.add(where + "an anchor (&" + name(event.getAnchor()) + ") is not read here (aliases are not"
                    + " supported): remove it");
        }
        String tag = event instanceof ScalarEvent scalar ? scalar.getTag()
                : ((CollectionStartEvent) event).getTag();
        if (tag != null) {
            errors.add(where + "a tag (" + name(shortTag(tag)) + ") is not read here: remove it"
                    + (event instanceof ScalarEvent ? " (quote the value to keep it as text)" : ""));
        }
        if (isKey && event instanceof ScalarEvent scalar && scalar.isPlain() && scalar.getValue().equals("<<")) {
            errors.add(where + "a merge key (<<) is not read here: write the keys out");
        }
    }

    private static String shortTag(String tag) {
        return tag.startsWith("tag:yaml.org,2002:") ? "!!" + tag.substring("tag:yaml.org,2002:".length()) : tag;
    }

    private static String name(String name) {
        String escaped = ErrorText.escape(name);
        return escaped.length() > MAX_NAME ? escaped.substring(0, MAX_NAME - 3) + "..." : escaped;
    }

    private static String at(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }
}
