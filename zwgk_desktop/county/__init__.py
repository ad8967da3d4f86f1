"""The county-side reference server: receives township records and evidence, publishes reference data.

`store` holds the county's own tables (a metadata separate from the
township's), `app` the Starlette web API (`/api/v1`, see docs/openapi.yaml),
`web` the read-only staff page, `admin` the functions behind `zwgk county ...`.
"""
