//! The OpenAPI 3.1 description of `/api/v1`, made from the report catalogue (so a new report is
//! described the day it exists). A test checks real answers against it.

use crate::stats::catalogue::REPORTS;
use actix_web::HttpResponse;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let ids: Vec<&str> = REPORTS.iter().map(|r| r.id).collect();
        let text = |name: &str, description: &str| {
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
        };
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "canteen — thống kê (read-only statistics API)",
                "version": "1",
                "description": "Every standard report of the catalogue as JSON, with the filters of its page. Authenticate with a bearer token an administrator made for your system; each token reads the reports of its scope until its last day. 60 calls a minute per token; every call is audited. Money is whole đồng, percentages are basis points (12,5 % = 1250), means are tenths (4,2 = 42). Groups of fewer than five people in subsidy and retiree breakdowns read \"< 5\" and their other figures \"hidden\" (null means there is nothing to show, e.g. a rate over zero); totals stay exact unless they would give a hidden group away."
            },
            "servers": [{"url": "/api/v1"}],
            "security": [{"token": []}],
            "paths": {
                "/reports/{id}": {
                    "get": {
                        "operationId": "report",
                        "summary": "One standard report",
                        "parameters": [
                            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "enum": ids}},
                            text("period", "A month 2026-10, a quarter 2026-Q4 or a year 2026; without it and without from/to, the last twelve months."),
                            text("from", "First day, dd/mm/yyyy or yyyy-mm-dd (with to; overrides period)."),
                            text("to", "Last day, dd/mm/yyyy or yyyy-mm-dd (with from)."),
                            {"name": "unit", "in": "query", "required": false, "description": "A unit id: the unit with its sub-units (reports that take it).", "schema": {"type": "integer", "minimum": 1}},
                            {"name": "fund", "in": "query", "required": false, "description": "A fund id (reports that take it).", "schema": {"type": "integer", "minimum": 1}}
                        ],
                        "responses": {
                            "200": {"description": "The report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                            "400": error_response("A filter is wrong (fields says which)"),
                            "401": error_response("No token, or an unknown, revoked or expired one"),
                            "403": error_response("The report is outside the token's scope"),
                            "404": error_response("No such report"),
                            "429": error_response("Too many calls this minute (see Retry-After)")
                        }
                    }
                }
            },
            "components": {
                "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Error": {
                        "type": "object",
                        "required": ["error", "message"],
                        "additionalProperties": false,
                        "properties": {
                            "error": {"type": "string", "enum": ["missing_token", "invalid_token", "revoked_token", "expired_token", "out_of_scope", "rate_limited", "unknown_report", "not_found", "bad_query", "bad_filter", "unavailable", "internal"]},
                            "message": {"type": "string"},
                            "fields": {"type": "object", "additionalProperties": {"type": "string"}}
                        }
                    },
                    "Cell": {"type": ["string", "integer", "null"]},
                    "Column": {
                        "type": "object",
                        "required": ["key", "label", "definition", "kind"],
                        "additionalProperties": false,
                        "properties": {
                            "key": {"type": "string"},
                            "label": {"type": "string"},
                            "definition": {"type": "string"},
                            "kind": {"type": "string", "enum": ["text", "count", "people", "money_vnd", "percent_bp", "tenths"]}
                        }
                    },
                    "Report": {
                        "type": "object",
                        "required": ["report", "title", "period", "filters", "columns", "rows", "total", "notes", "small_groups_hidden"],
                        "additionalProperties": false,
                        "properties": {
                            "report": {"type": "string", "enum": ids},
                            "title": {"type": "string"},
                            "period": {
                                "type": "object",
                                "required": ["from", "to"],
                                "additionalProperties": false,
                                "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}
                            },
                            "filters": {
                                "type": "object",
                                "required": ["unit", "fund"],
                                "additionalProperties": false,
                                "properties": {"unit": {"type": ["integer", "null"]}, "fund": {"type": ["integer", "null"]}}
                            },
                            "columns": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}},
                            "rows": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/Cell"}}},
                            "total": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Cell"}},
                            "notes": {"type": "array", "items": {"type": "string"}},
                            "small_groups_hidden": {"type": "boolean"}
                        }
                    }
                }
            }
        })
    })
}

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
