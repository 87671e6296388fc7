package io.scaledapi.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A cached HTTP API that the operator runs and keeps right-sized. The CRD in {@code crds/} is generated from here. */
@Group(ScaledApi.GROUP)
@Version(ScaledApi.VERSION)
@Plural("scaledapis")
@ShortNames("sapi")
@AdditionalPrinterColumn(name = "MIN", jsonPath = ".spec.replicas.min", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "MAX", jsonPath = ".spec.replicas.max", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "REPLICAS", jsonPath = ".status.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "READY",
        jsonPath = ".status.readyReplicas",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "DESIRED",
        jsonPath = ".status.desiredReplicas",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "RPS",
        jsonPath = ".status.requestRate.stable",
        type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
        name = "HIT%",
        jsonPath = ".status.cacheHitPercent",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "SHARED%",
        jsonPath = ".status.sharedCacheHitPercent",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "MODE", jsonPath = ".status.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "UPDATE-MODE",
        jsonPath = ".spec.scaling.updateMode",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "AGE",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
        value = "size(self.metadata.name) <= " + ScaledApi.MAX_NAME_LENGTH
                + " && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message = "metadata.name must be at most " + ScaledApi.MAX_NAME_LENGTH
                + " characters of a-z, 0-9 and '-', starting with a letter and ending with a letter or digit: it names"
                + " the API's Service (a DNS label of at most 63) and its shared cache's Service (NAME-redis)")
public class ScaledApi extends CustomResource<ScaledApiSpec, ScaledApiStatus> implements Namespaced {

    /** The longest name whose derived names stay valid: {@code NAME-redis} is a Service, a DNS label of 63. */
    public static final int MAX_NAME_LENGTH = 57; // 63 - "-redis".length()

    public static final String GROUP = "scaledapi.io";
    /** The operator's name: its field manager, the objects' managed-by label, its events' reporting component. */
    public static final String MANAGER = "scaledapi-operator";

    public static final String VERSION = "v1alpha1";

    /**
     * The order of the printer columns in the committed CRD. The generator sorts them by name; kubectl shows them in
     * file order, so the committed file puts them in this order (CrdFileTest).
     */
    public static final java.util.List<String> PRINTER_COLUMN_ORDER = java.util.List.of(
            "MIN", "MAX", "REPLICAS", "READY", "DESIRED", "RPS", "HIT%", "SHARED%", "MODE", "UPDATE-MODE", "AGE");
}
