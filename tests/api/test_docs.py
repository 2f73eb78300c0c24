import re


def test_docs_pages_load_only_local_assets(sample_client):
    for page in ("/docs", "/redoc"):
        html = sample_client.get(page).text
        assert "/openapi.json" in html
        external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
        assert external == [], f"{page} loads something from another host"
        for asset in re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)""", html):
            response = sample_client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 1000


def test_every_operation_is_documented_for_caseworkers(sample_client):
    schema = sample_client.get("/openapi.json?lang=en").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation.get("description"), f"{method.upper()} {path} has no description"
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"


def test_parameters_carry_descriptions_or_examples(sample_client):
    schema = sample_client.get("/openapi.json?lang=en").json()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header":
                    continue
                assert parameter.get("description") or parameter.get("examples"), (
                    f"{path}: {parameter['name']}"
                )
