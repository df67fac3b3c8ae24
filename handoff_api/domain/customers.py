"""Demo customers for the session picker, read from the file shared with the demo account back-end."""

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from contract.names import CustomerTier
from handoff_api.domain.exceptions import ConfigError


class DemoCustomer(BaseModel):
    id: str
    name: str
    tier: CustomerTier
    secretary: str | None = None


class _CustomersFile(BaseModel):
    customers: list[DemoCustomer]


def load_demo_customers(path: Path) -> dict[str, DemoCustomer]:
    try:
        parsed = _CustomersFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"invalid demo customers file {path}: {exc}") from exc
    return {customer.id: customer for customer in parsed.customers}
