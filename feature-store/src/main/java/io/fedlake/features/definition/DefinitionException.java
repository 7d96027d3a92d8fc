package io.fedlake.features.definition;

/**
 * A feature view definition that cannot be used. The message always starts with {@code <file>: <field>:} so a user
 * knows which file and which field to fix, e.g. {@code credit_branch.yaml: features[2].window: bad duration '90x'}.
 */
public final class DefinitionException extends IllegalArgumentException {

    private final String file;
    private final String field;

    public DefinitionException(String file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
    }

    public String file() {
        return file;
    }

    public String field() {
        return field;
    }
}
