package io.reseal.pipeline.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The keys that tell the kinds of a one-of configuration type apart, for error messages: a sealed type read with
 * {@code @JsonTypeInfo(use = DEDUCTION)} whose {@code @JsonSubTypes} are records (a value source is
 * {@code literal}, {@code env}, ...). A kind is named by its first key that not every kind has (an issuer's
 * {@code name} is not one of them); the keys after it are that kind's options (a URL's {@code insecure}), not kinds.
 */
final class OneOfKeys {

    private OneOfKeys() {}

    /** "a, b, c" for a one-of type or one of its kinds; {@code null} for any other class. */
    static String of(Class<?> type) {
        Class<?> base = deductionBase(type);
        if (base == null) return null;
        List<Set<String>> kinds = new ArrayList<>();
        for (JsonSubTypes.Type subtype : base.getAnnotation(JsonSubTypes.class).value()) {
            if (!subtype.value().isRecord()) return null;
            kinds.add(Arrays.stream(subtype.value().getRecordComponents()).map(OneOfKeys::key)
                    .collect(Collectors.toCollection(LinkedHashSet::new)));
        }
        if (kinds.size() < 2) return null; // one kind so far: the usual unknown-key message says more
        Set<String> common = new LinkedHashSet<>(kinds.get(0));
        kinds.forEach(common::retainAll);
        return kinds.stream().map(keys -> keys.stream().filter(key -> !common.contains(key)).findFirst().orElse(null))
                .filter(java.util.Objects::nonNull).distinct().collect(Collectors.joining(", "));
    }

    /**
     * The key a record component is read from: its {@code @JsonProperty} name ({@code kafka-scram}) or its own. The
     * annotation is found on the accessor: {@code @JsonProperty} does not target record components themselves.
     */
    private static String key(RecordComponent component) {
        JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
        return property != null && !property.value().isEmpty() ? property.value() : component.getName();
    }

    private static Class<?> deductionBase(Class<?> type) {
        if (type == null) return null;
        if (isDeductionBase(type)) return type;
        for (Class<?> parent : type.getInterfaces()) {
            if (isDeductionBase(parent)) return parent;
        }
        return null;
    }

    private static boolean isDeductionBase(Class<?> type) {
        JsonTypeInfo info = type.getAnnotation(JsonTypeInfo.class);
        return info != null && info.use() == JsonTypeInfo.Id.DEDUCTION && type.getAnnotation(JsonSubTypes.class) != null
                && type.getAnnotation(JsonSubTypes.class).value().length > 0;
    }
}
