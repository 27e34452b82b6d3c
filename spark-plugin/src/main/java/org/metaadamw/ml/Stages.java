package org.metaadamw.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.metaadamw.config.ConfigEntry;

import java.util.Arrays;
import java.util.Map;

/** Helpers shared by the Estimator and the Model: defaults, typed setting, schema checks. */
final class Stages {
    private Stages() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void setDefaults(Params stage, StageParams p) {
        stage.setDefault(p.featuresCol, "features");
        stage.setDefault(p.labelCol, "label");
        stage.setDefault(p.predictionCol, "prediction");
        stage.setDefault(p.probabilityCol, "probability");
        stage.setDefault(p.featuresShape, new int[0]);
        stage.setDefault(p.epochs, 1);
        stage.setDefault(p.batchSize, 32);
        for (Map.Entry<ConfigEntry<?>, Param<?>> kv : p.registry.entrySet()) {
            stage.setDefault((Param) kv.getValue(), kv.getKey().defaultValue());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void setParsed(Params stage, StageParams p, ConfigEntry<?> e, String value) {
        Object v = e.parse(value);
        stage.set((Param) p.registry.get(e), v);
    }

    /** How the stage's rows become network input: its converter, or the column convention. */
    static RowFormat format(Params stage, StageParams p, NetworkSpec spec) {
        if (stage.isDefined(p.batchConverter)) {
            return RowFormat.converter(stage.getOrDefault(p.batchConverter));
        }
        return RowFormat.columns(stage.getOrDefault(p.featuresCol), stage.getOrDefault(p.labelCol), spec,
                stage.getOrDefault(p.featuresShape));
    }

    static void requireFeatures(StructType schema, String col) {
        DataType t = field(schema, col, "features").dataType();
        boolean ok = t.equals(SQLDataTypes.VectorType())
                || t instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (!ok) {
            throw new IllegalArgumentException("features column '" + col + "' has type " + t.simpleString()
                    + "; expected an ml Vector or an array of numbers");
        }
    }

    static void requireLabel(StructType schema, String col) {
        DataType t = field(schema, col, "label").dataType();
        boolean ok = t instanceof NumericType || t.equals(SQLDataTypes.VectorType())
                || t instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (!ok) {
            throw new IllegalArgumentException("label column '" + col + "' has type " + t.simpleString()
                    + "; expected a number (class index or value), an ml Vector or an array of numbers");
        }
    }

    private static StructField field(StructType schema, String col, String role) {
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(role + " column '" + col + "' is not in the input; its columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        return schema.apply(col);
    }

    /**
     * The input schema plus the prediction column (a double for a classifier's class index or a
     * single-output regressor, else an ml Vector) and, for a classifier, the probability column.
     * {@code spec} null: the network is not known yet (the schema of an unfitted Estimator).
     */
    static StructType outputSchema(StructType schema, String predictionCol, String probabilityCol, NetworkSpec spec) {
        boolean classifier = spec != null && spec.classifier();
        for (String c : classifier ? new String[]{predictionCol, probabilityCol} : new String[]{predictionCol}) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("output column '" + c + "' already exists in the input");
            }
        }
        boolean scalar = spec == null || classifier || scalarPrediction(spec);
        StructType out = schema.add(predictionCol, scalar ? DataTypes.DoubleType : SQLDataTypes.VectorType(), false);
        return classifier ? out.add(probabilityCol, SQLDataTypes.VectorType(), false) : out;
    }

    /** A regressor with one output per example: its prediction is a double. */
    static boolean scalarPrediction(NetworkSpec spec) {
        return !spec.classifier() && !spec.sequenceOutput() && spec.outputs() == 1;
    }
}
