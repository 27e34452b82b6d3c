package org.metaadamw.config;

import java.io.Serializable;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One typed configuration key: its name, type, default, documentation and validation.
 * Entries are declared once, in {@link MetaAdamWConf}; nothing else spells a key.
 *
 * @param <T> the value type (Double, Integer, Long, Boolean, String or double[])
 */
public final class ConfigEntry<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String type;
    private final T defaultValue;
    private final String doc;
    private final String allowed;
    private final SerializablePredicate<T> check;
    private final SerializableFunction<String, T> parser;
    private final SerializableFunction<T, String> printer;

    interface SerializablePredicate<T> extends Predicate<T>, Serializable { }

    interface SerializableFunction<A, B> extends Function<A, B>, Serializable { }

    ConfigEntry(String key, String type, T defaultValue, String doc, String allowed,
                SerializablePredicate<T> check, SerializableFunction<String, T> parser,
                SerializableFunction<T, String> printer) {
        this.key = Objects.requireNonNull(key);
        this.type = type;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.allowed = allowed;
        this.check = check;
        this.parser = parser;
        this.printer = printer;
        if (!check.test(defaultValue)) {
            throw new IllegalStateException("default of " + key + " violates its own range " + allowed);
        }
    }

    public String key() {
        return key;
    }

    /** Human-readable type name used in the generated reference. */
    public String type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** The allowed range or values, in words (for example {@code "> 0"} or {@code "one of fine, layer, single"}). */
    public String allowed() {
        return allowed;
    }

    /** Validates {@code value}, throwing an exception that names the key, the value and the range. */
    public T validate(T value) {
        if (value == null || !check.test(value)) {
            throw new IllegalArgumentException(key + " must be " + allowed + " (got " + (value == null ? "null" : print(value)) + ")");
        }
        return value;
    }

    /** Parses and validates a string value as given in a Spark configuration or on a command line. */
    public T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be a " + type + " that is " + allowed + " (got '" + raw + "')", e);
        }
        return validate(value);
    }

    public String print(T value) {
        return printer.apply(value);
    }

    @Override
    public String toString() {
        return key;
    }
}
