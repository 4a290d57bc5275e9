package mrsemulator.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Holds what an SDK model parsed against the JSON the emulator sent (as the client received it,
 * see Received): the model, written back to JSON by its own Jackson annotations, equals the body
 * on the wire, so no field was lost to a name or type the model does not declare. The status and
 * response headers the model carries beside the body are left out.
 */
final class Wire {
    private Wire() {}

    static void assertModelIsWire(Object model, JsonNode wire) {
        ObjectNode parsed = Emulator.JSON.valueToTree(model);
        parsed.remove("httpStatusCode");
        for (Iterator<String> names = parsed.fieldNames(); names.hasNext(); ) {
            if (names.next().startsWith("X-")) names.remove();
        }
        String problem = compare(parsed, wire, "body");
        if (problem != null) fail(model.getClass().getSimpleName() + ": " + problem);
    }

    private static String compare(JsonNode model, JsonNode wire, String path) {
        if (wire.isObject()) {
            if (!model.isObject()) return path + ": the model holds " + model + ", the wire an object";
            for (Iterator<Map.Entry<String, JsonNode>> fields = wire.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isNull()) continue; // absent and null are the same to a NON_NULL model
                JsonNode held = model.get(field.getKey());
                if (held == null || held.isNull()) {
                    return path + "." + field.getKey() + ": sent, but the model holds nothing there (a field it does not declare, or under another name)";
                }
                String problem = compare(held, field.getValue(), path + "." + field.getKey());
                if (problem != null) return problem;
            }
            for (Iterator<String> names = model.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!model.get(name).isNull() && (wire.get(name) == null || wire.get(name).isNull())) {
                    return path + "." + name + ": not sent, yet the model holds " + model.get(name);
                }
            }
            return null;
        }
        if (wire.isArray()) {
            if (!model.isArray() || model.size() != wire.size()) return path + ": the model holds " + model + ", the wire " + wire;
            for (int i = 0; i < wire.size(); i++) {
                String problem = compare(model.get(i), wire.get(i), path + "[" + i + "]");
                if (problem != null) return problem;
            }
            return null;
        }
        if (!model.equals(wire) && !(model.isNumber() && wire.isNumber() && model.asDouble() == wire.asDouble())) {
            return path + ": the model holds " + model + ", the wire " + wire;
        }
        return null;
    }
}
