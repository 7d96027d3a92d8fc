package io.fedlake.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedlake.zoo.image.ImagePreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything fitted or fixed at training time that scoring must repeat: the tabular preprocessing, the image
 * decoding, and the outputs with their label classes. Saved next to the network ({@code preprocessor.json});
 * {@link #modelSpec()} is the network's input/output contract.
 *
 * @param tabular null for image-only models
 * @param image   null for tabular models
 */
public record Preprocessing(TabularPreprocessor tabular, ImagePreprocessor image, List<ModelSpec.Output> outputs) implements Serializable {

    /** Name of the image input. */
    public static final String IMAGE_INPUT = "image";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Preprocessing {
        if (tabular == null && image == null) {
            throw new IllegalArgumentException("preprocessing needs tabular features, an image, or both");
        }
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("preprocessing needs at least one output");
        }
        for (ModelSpec.Output o : outputs) {
            if (o.regression() && o.target() == null) {
                throw new IllegalArgumentException("regression output '" + o.name() + "' has no fitted target standardisation");
            }
        }
    }

    public ModelSpec modelSpec() {
        List<ModelSpec.Input> inputs = new ArrayList<>();
        if (tabular != null) {
            inputs.addAll(tabularInputs(tabular));
        }
        if (image != null) {
            inputs.add(new ModelSpec.Image(IMAGE_INPUT, image.channels(), image.height(), image.width()));
        }
        return new ModelSpec(inputs, outputs);
    }

    /** The network inputs tabular preprocessing produces, in feeding order: numeric block, then one per categorical. */
    static List<ModelSpec.Input> tabularInputs(TabularPreprocessor t) {
        List<ModelSpec.Input> inputs = new ArrayList<>();
        if (!t.numericColumns().isEmpty()) {
            inputs.add(new ModelSpec.Dense(TabularPreprocessor.NUMERIC_INPUT, t.numericColumns().size()));
        }
        List<String> categorical = t.categoricalColumns();
        for (int c = 0; c < categorical.size(); c++) {
            inputs.add(new ModelSpec.Categorical(TabularPreprocessor.CATEGORICAL_INPUT_PREFIX + categorical.get(c), t.cardinality(c)));
        }
        return inputs;
    }

    public String toJson() {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.set("tabular", tabular == null ? null : JSON.readTree(tabular.toJson()));
            root.set("image", JSON.valueToTree(image));
            root.set("outputs", JSON.valueToTree(outputs));
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise preprocessing", e);
        }
    }

    public static Preprocessing fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode t = root.get("tabular");
            JsonNode i = root.get("image");
            TabularPreprocessor tabular = t == null || t.isNull() ? null : TabularPreprocessor.fromJson(t.toString());
            ImagePreprocessor image = i == null || i.isNull() ? null : JSON.treeToValue(i, ImagePreprocessor.class);
            List<ModelSpec.Output> outputs = new ArrayList<>();
            for (JsonNode o : root.withArray("outputs")) {
                outputs.add(JSON.treeToValue(o, ModelSpec.Output.class));
            }
            return new Preprocessing(tabular, image, outputs);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid preprocessing document: " + e.getMessage(), e);
        }
    }
}
