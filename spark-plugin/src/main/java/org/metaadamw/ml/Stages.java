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

    static StructType outputSchema(StructType schema, String predictionCol, String probabilityCol, boolean classifier, long outputs) {
        for (String c : classifier ? new String[]{predictionCol, probabilityCol} : new String[]{predictionCol}) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("output column '" + c + "' already exists in the input");
            }
        }
        StructType out = schema.add(predictionCol, classifier || outputs == 1 ? DataTypes.DoubleType : SQLDataTypes.VectorType(), false);
        return classifier ? out.add(probabilityCol, SQLDataTypes.VectorType(), false) : out;
    }
}
