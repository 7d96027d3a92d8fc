package io.fedlake.preset;

import io.fedlake.translate.DataSpec;
import io.fedlake.zoo.ModelSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * What Fedlake presets for its three shipped domains: the columns training reads ({@link DataSpec}) and the raw
 * table's typed schema, which the synthetic generators write and a CSV of that domain is read with.
 */
final class DomainPresets {

    private DomainPresets() {
    }

    /** Credit preset over {@code raw.credit}: default within 12 months. */
    static DataSpec credit() {
        return new DataSpec("application_id", "branch_id",
                List.of("age", "annual_income", "employment_years", "loan_amount", "loan_term_months", "interest_rate",
                        "debt_to_income", "credit_history_years", "num_open_accounts", "num_delinquencies_2y",
                        "revolving_utilization", "num_inquiries_6m"),
                List.of("employment_type", "home_ownership", "loan_purpose"), null,
                List.of(DataSpec.binary("p_default", "defaulted_12m")), false);
    }

    /** Imaging preset over {@code raw.imaging}: the study image plus clinical features → finding. */
    static DataSpec imaging() {
        return new DataSpec("image_id", "hospital_id", List.of("age", "crp_mg_l", "wbc_10e9_l", "hemoglobin_g_dl", "smoker"),
                List.of("sex"), "image", List.of(DataSpec.binary("p_finding", "finding")), false);
    }

    /** Defect preset over {@code raw.defect}: surface image plus sensors → defect type and defect probability. */
    static DataSpec defect() {
        return new DataSpec("inspection_id", "plant_id",
                List.of("temperature_c", "vibration_rms", "pressure_bar", "line_speed_mpm", "humidity_pct"), List.of(), "image",
                List.of(new ModelSpec.Output("p_defect_type", "defect_type", List.of("none", "scratch", "spot", "crack")),
                        DataSpec.binary("p_defect", "is_defect")), true);
    }

    static final StructType CREDIT_SCHEMA = new StructType()
            .add("application_id", DataTypes.StringType, false)
            .add("applicant_id", DataTypes.StringType, false)
            .add("application_ts", DataTypes.TimestampType, false)
            .add("application_date", DataTypes.DateType, false)
            .add("branch_id", DataTypes.StringType, false)
            .add("age", DataTypes.IntegerType, false)
            .add("annual_income", DataTypes.DoubleType, false)
            .add("employment_type", DataTypes.StringType, false)
            .add("employment_years", DataTypes.DoubleType, false)
            .add("home_ownership", DataTypes.StringType, false)
            .add("loan_purpose", DataTypes.StringType, false)
            .add("loan_amount", DataTypes.DoubleType, false)
            .add("loan_term_months", DataTypes.IntegerType, false)
            .add("interest_rate", DataTypes.DoubleType, false)
            .add("debt_to_income", DataTypes.DoubleType, false)
            .add("credit_history_years", DataTypes.DoubleType, false)
            .add("num_open_accounts", DataTypes.IntegerType, false)
            .add("num_delinquencies_2y", DataTypes.IntegerType, false)
            .add("revolving_utilization", DataTypes.DoubleType, false)
            .add("num_inquiries_6m", DataTypes.IntegerType, false)
            .add("defaulted_12m", DataTypes.IntegerType, false);

    static final StructType IMAGING_SCHEMA = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("patient_id", DataTypes.StringType, false)
            .add("hospital_id", DataTypes.StringType, false)
            .add("study_ts", DataTypes.TimestampType, false)
            .add("study_date", DataTypes.DateType, false)
            .add("age", DataTypes.IntegerType, false)
            .add("sex", DataTypes.StringType, false)
            .add("crp_mg_l", DataTypes.DoubleType, false)
            .add("wbc_10e9_l", DataTypes.DoubleType, false)
            .add("hemoglobin_g_dl", DataTypes.DoubleType, false)
            .add("smoker", DataTypes.IntegerType, false)
            .add("image", DataTypes.BinaryType, false)
            .add("image_width", DataTypes.IntegerType, false)
            .add("image_height", DataTypes.IntegerType, false)
            .add("finding", DataTypes.IntegerType, false);

    static final StructType DEFECT_SCHEMA = new StructType()
            .add("inspection_id", DataTypes.StringType, false)
            .add("plant_id", DataTypes.StringType, false)
            .add("line_id", DataTypes.StringType, false)
            .add("inspected_ts", DataTypes.TimestampType, false)
            .add("inspection_date", DataTypes.DateType, false)
            .add("temperature_c", DataTypes.DoubleType, false)
            .add("vibration_rms", DataTypes.DoubleType, false)
            .add("pressure_bar", DataTypes.DoubleType, false)
            .add("line_speed_mpm", DataTypes.DoubleType, false)
            .add("humidity_pct", DataTypes.DoubleType, false)
            .add("image", DataTypes.BinaryType, false)
            .add("image_width", DataTypes.IntegerType, false)
            .add("image_height", DataTypes.IntegerType, false)
            .add("defect_type", DataTypes.StringType, false)
            .add("is_defect", DataTypes.IntegerType, false);
}
