/// meta.k8s.io/v1 Table responses: one row per object, cells from the
/// resource's columns (TableColumns, or a custom resource's printer columns).
public enum TableConvertor {
    /// The Table for `items`; `rowObject` chooses what each row carries (metadata, the object, nothing).
    public static func table(columns cols: [TableColumn], items: [JSON], now: Timestamp, listMeta: JSON?,
                             rowObject: (JSON) -> JSON) -> JSON {
        let rows: [JSON] = items.map { o in ["cells": .array(cols.map { $0.cell(o, now) }), "object": rowObject(o)] }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMeta ?? [:],
                "columnDefinitions": .array(cols.map(\.definition)), "rows": .array(rows)]
    }
}
