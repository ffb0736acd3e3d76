"""The one resource every asset uses: the deployment's settings (pipeline/settings.py) as a Dagster
`ConfigurableResource`.

Its config fields are generated from `Settings`, one per setting, typed (Dagster config has no path
type: a path is a string there and a `Path` in `nianbao.settings`). A field left unset takes the
NIANBAO_* environment variable, then the default; `nianbao run` sets the ones its flags give.
"""

from pathlib import Path

import dagster as dg
import pydantic

from ..settings import Settings, env_vars, from_env, kinds

_CONFIG_TYPE = {Path: str, int: int, float: float, str: str}


class _Resource(dg.ConfigurableResource):
    @property
    def settings(self) -> Settings:
        """The typed settings: the environment with this resource's fields over it."""
        return from_env(**{name: getattr(self, name) for name in env_vars()})

    def candidate_path(self, run_id: str) -> Path:
        return self.settings.state / f"candidate-{run_id[:8]}.duckdb"

    def staging(self, run_id: str) -> Path:
        """This run's staging folder (pages, workbook, Data Docs), published as one set."""
        from ..publish import prepare_staging

        return prepare_staging(self.settings.out, run_id)


NianbaoResource = pydantic.create_model(
    "NianbaoResource",
    __base__=_Resource,
    __module__=__name__,
    __doc__="Paths and choices of a nianbao deployment; unset fields come from the NIANBAO_* variables.",
    **{
        name: (
            _CONFIG_TYPE[kind] | None,
            pydantic.Field(
                default=None, description=f"{env_vars()[name]}: {Settings.__dataclass_fields__[name].metadata['doc']}"
            ),
        )
        for name, kind in kinds().items()
    },
)


def resource_of(settings: Settings):
    """The resource carrying these settings, every field set (a path as its string)."""
    return NianbaoResource(
        **{
            name: str(v) if isinstance(v, Path) else v
            for name in env_vars()
            if (v := getattr(settings, name)) is not None
        }
    )
