"""The OpenAPI document describes every endpoint with its errors; /health tells the schema state."""

from __future__ import annotations

from fastapi.testclient import TestClient

SIGNED_PATHS = [
    "/v2/customer",
    "/v2/customer/batch",
    "/v2/customer/tag",
    "/v2/customer/untag",
    "/v2/category",
    "/v2/category/batch",
    "/v2/product",
    "/v2/product/batch",
    "/v2/order",
    "/v2/order/batch",
]


def test_openapi_describes_the_signed_api_bodies_and_errors(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path in SIGNED_PATHS:
        operation = document["paths"][path]["post"]
        assert {"200", "400", "401", "403", "413"} <= set(operation["responses"]), path
        body = operation["requestBody"]["content"]["text/plain"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert body in schemas, path
        assert any(p["name"] == "X-Digest" and p["required"] for p in operation["parameters"]), path
    order_call = schemas["OrderParamsCall"]
    assert set(order_call["required"]) == {"time", "token", "params"}
    order = schemas["OrderParams"]
    assert {"id", "createdAt", "amount", "status", "products"} <= set(order["required"])
    assert "visitorId" in order["properties"]
    assert schemas["OrderParamsBatchCall"]["properties"]["batch"]["type"] == "array"


def test_openapi_describes_the_read_api_and_its_auth(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path in [
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/orders/{order_id}",
        "/api/v1/products/{product_id}",
    ]:
        operation = document["paths"][path]["get"]
        assert {"200", "401", "403"} <= set(operation["responses"]), path
        assert operation.get("security"), path
    assert "404" in document["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]


def test_every_error_answer_of_the_document_uses_the_error_body(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, response in operation.get("responses", {}).items():
                assert status != "422", (path, method)
                if status.startswith("4") and "application/json" in response.get("content", {}):
                    ref = response["content"]["application/json"]["schema"].get("$ref", "")
                    assert ref.endswith("/ErrorBody"), (path, method, status)


def test_health_reports_the_schema(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
