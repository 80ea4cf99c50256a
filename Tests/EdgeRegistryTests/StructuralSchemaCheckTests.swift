import XCTest
import EdgeAPI
@testable import EdgeRegistry

/// A v1 definition's schema is refused as upstream refuses it: structural invariants, completeness
/// of value validations, and the keyword and marker rules, each error named by its path.
final class StructuralSchemaCheckTests: XCTestCase {
    let root = "spec.versions[0].schema.openAPIV3Schema"

    func messages(_ schema: JSON) -> [String] {
        StructuralSchemaCheck.errors(schema, path: root).map(\.message)
    }

    func object(_ props: JSON, extra: JSON = [:]) -> JSON {
        var o: JSON = ["type": "object", "properties": ["spec": ["type": "object", "properties": props]]]
        for (k, v) in extra.object ?? JSONObject() { o[path: [k]] = v }
        return o
    }

    func testTheWidgetSchemaIsStructural() {
        XCTAssertEqual(messages(CRDFixtures.schema), [])
    }

    func testAFieldOnlyAValueValidationNamesIsRefused() {
        let schema = object(["a": ["type": "string"]], extra: [
            "anyOf": [["properties": ["spec": ["properties": ["b": ["minLength": 1]]]]]],
            "not": ["properties": ["spec": ["properties": ["a": ["maxLength": 3]]]]],
        ])
        XCTAssertEqual(messages(schema), [
            "\(root).properties[spec].properties[b]: Required value: because it is defined in \(root).anyOf[0].properties[spec].properties[b]",
        ])
        let items = object(["list": ["type": "string"]], extra: [
            "allOf": [["properties": ["spec": ["properties": ["list": ["items": ["minLength": 1]]]]]]],
        ])
        XCTAssertEqual(messages(items), [
            "\(root).properties[spec].properties[list].items: Required value: because it is defined in \(root).allOf[0].properties[spec].properties[list].items",
        ])
    }

    func testValueValidationsMayNotCarryWhatOnlyStructureMay() {
        let schema = object(["a": ["type": "string", "anyOf": [
            ["x-kubernetes-validations": [["rule": "self != ''"]], "externalDocs": ["url": "https://example.com"]],
            ["x-kubernetes-map-type": "atomic"],
        ]]])
        XCTAssertEqual(messages(schema), [
            "\(root).properties[spec].properties[a].anyOf[0].externalDocs: Forbidden: must be undefined to be structural",
            "\(root).properties[spec].properties[a].anyOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural",
            "\(root).properties[spec].properties[a].anyOf[1].x-kubernetes-map-type: Forbidden: must be undefined to be structural",
            // the keyword rule sees the marker on a node without a type, after the structural errors
            "\(root).properties[spec].properties[a].anyOf[1].type: Required value: must be object if x-kubernetes-map-type is specified",
        ])
    }

    func testMarkersOnlyOnTheTypesTheyDescribe() {
        let schema = object([
            "a": ["type": "string", "x-kubernetes-list-type": "atomic"],
            "b": ["type": "array", "items": ["type": "string"], "x-kubernetes-map-type": "atomic"],
            "c": ["type": "object", "x-kubernetes-preserve-unknown-fields": false],
            "d": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-map-keys": ["name"]],
            "e": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set", "x-kubernetes-list-map-keys": ["name"]],
        ])
        XCTAssertEqual(messages(schema), [
            "\(root).properties[spec].properties[a].type: Invalid value: \"string\": must be array if x-kubernetes-list-type is specified",
            "\(root).properties[spec].properties[b].type: Invalid value: \"array\": must be object if x-kubernetes-map-type is specified",
            "\(root).properties[spec].properties[c].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined",
            "\(root).properties[spec].properties[d].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty",
            "\(root).properties[spec].properties[e].x-kubernetes-list-type: Invalid value: \"set\": must be map if x-kubernetes-list-map-keys is non-empty",
        ])
    }

    func testMapListsAndSetsAsUpstreamRequires() {
        let schema = object([
            "optionalKey": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                            "items": ["type": "object", "properties": ["name": ["type": "string", "nullable": true]]]],
            "missingKey": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id", "id"],
                           "items": ["type": "object", "required": ["id"], "properties": ["id": ["type": "object"]]]],
            "scalars": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["x"], "items": ["type": "string"]],
            "objects": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "object", "nullable": true]],
            "defaulted": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"],
                          "items": ["type": "object", "properties": ["port": ["type": "integer", "default": 80]]]],
            "atomicObjects": ["type": "array", "x-kubernetes-list-type": "set",
                              "items": ["type": "object", "x-kubernetes-map-type": "atomic"]],
        ])
        XCTAssertEqual(messages(schema), [
            "\(root).properties[spec].properties[missingKey].items.properties[id].type: Invalid value: \"object\": must be a scalar type if parent array's x-kubernetes-list-type is map",
            "\(root).properties[spec].properties[missingKey].items.properties[id].type: Invalid value: \"object\": must be a scalar type if parent array's x-kubernetes-list-type is map",
            "\(root).properties[spec].properties[missingKey].x-kubernetes-list-map-keys: Invalid value: []string{\"id\", \"id\"}: must not contain duplicate entries",
            "\(root).properties[spec].properties[objects].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set",
            "\(root).properties[spec].properties[objects].items.x-kubernetes-map-type: Invalid value: \"null\": must be atomic as item of a list with x-kubernetes-list-type=set",
            "\(root).properties[spec].properties[optionalKey].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
            "\(root).properties[spec].properties[optionalKey].items.properties[name].nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
            "\(root).properties[spec].properties[scalars].items.type: Invalid value: \"string\": must be object if parent array's x-kubernetes-list-type is map",
        ])
    }

    func testUnsupportedKeywordsAndDefaultsInMetadata() {
        let schema: JSON = ["type": "object", "properties": [
            "metadata": ["type": "object", "default": ["name": "x"]],
            "kind": ["type": "string", "default": "Widget"],
            "spec": ["type": "object", "properties": [
                "a": ["type": "string", "patternProperties": ["^x": ["type": "string"]]],
                "b": ["type": "array", "items": [["type": "string"]]],
                "c": ["type": "null"]]]]]
        let got = messages(schema)
        XCTAssertTrue(got.contains("\(root).properties[kind].default: Forbidden: must not be set in top-level kind"), "\(got)")
        XCTAssertTrue(got.contains("\(root).properties[metadata].default: Forbidden: must not be set in top-level metadata"), "\(got)")
        XCTAssertTrue(got.contains("\(root).properties[spec].properties[a].patternProperties: Forbidden: patternProperties is not supported"), "\(got)")
        XCTAssertTrue(got.contains("\(root).properties[spec].properties[b].items: Forbidden: items must be a schema object and not an array"), "\(got)")
        XCTAssertTrue(got.contains("\(root).properties[spec].properties[c].type: Forbidden: type cannot be set to null, use nullable as an alternative"), "\(got)")
    }

    func testValidationRuleShapes() {
        let schema = object(["a": ["type": "string", "x-kubernetes-validations": [
            ["rule": "  "],
            ["rule": "self.size() > 1\n&& true"],
            ["rule": "true", "message": "two\nlines"],
            ["rule": "true", "reason": "Bogus"],
        ]]])
        XCTAssertEqual(messages(schema), [
            "\(root).properties[spec].properties[a].x-kubernetes-validations[0].rule: Required value: rule is not specified",
            "\(root).properties[spec].properties[a].x-kubernetes-validations[1].message: Required value: message must be specified if rule contains line breaks",
            "\(root).properties[spec].properties[a].x-kubernetes-validations[2].message: Invalid value: \"two\\nlines\": message must not contain line breaks",
            "\(root).properties[spec].properties[a].x-kubernetes-validations[3].reason: Unsupported value: \"Bogus\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"",
        ])
    }

    func testAdditionalPropertiesTrueBesidePropertiesIsAllowed() {
        XCTAssertEqual(messages(object(["a": ["type": "object", "properties": ["x": ["type": "string"]], "additionalProperties": true]])), [])
        XCTAssertEqual(messages(object(["a": ["type": "object", "properties": ["x": ["type": "string"]], "additionalProperties": false]])),
                       ["\(root).properties[spec].properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"])
    }
}

/// Upstream ratchets the rules it added later: a definition stored while it broke them may still be
/// updated, a new definition (or one that kept them) may not start breaking them.
final class SchemaRuleRatchetTests: XCTestCase {
    func definition(tags: JSON) -> JSON {
        var schema = CRDFixtures.schema
        schema[path: ["properties", "spec", "properties", "tags"]] = tags
        return CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true, schema: schema)])
    }

    let granularSet: JSON = ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "object", "properties": ["a": ["type": "string"]]]]
    let optionalKey: JSON = ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["a"],
                             "items": ["type": "object", "properties": ["a": ["type": "string"]]]]

    func testABrokenRuleTheStoredDefinitionAlreadyBrokeIsNotEnforcedOnUpdate() {
        let old = definition(tags: granularSet)
        XCTAssertFalse(CustomResourceDefinitionValidator.validate(old).isEmpty, "refused when new")
        var changed = old
        changed[path: ["spec", "names", "shortNames"]] = ["tg"]
        XCTAssertEqual(CustomResourceDefinitionValidator.validateUpdate(changed, old: old).map(\.message), [])

        let keyed = definition(tags: optionalKey)
        XCTAssertFalse(CustomResourceDefinitionValidator.validate(keyed).isEmpty, "refused when new")
        XCTAssertEqual(CustomResourceDefinitionValidator.validateUpdate(keyed, old: keyed).map(\.message), [])
    }

    func testAnUpdateMayNotStartBreakingThem() {
        let good = CRDFixtures.definition()
        let errs = CustomResourceDefinitionValidator.validateUpdate(definition(tags: granularSet), old: good).map(\.message)
        XCTAssertEqual(errs, [#"spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set"#])
    }
}
