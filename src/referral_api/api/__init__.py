"""HTTP layer: routers, dependencies, schemas and RFC 9457 problem details."""
