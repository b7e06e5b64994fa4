"""Contract errors."""

from services.common.errors import Conflict


class ContractNotReady(Conflict, slug="contract-not-ready", title="The contract is not ready"): ...


class ContractAlreadySigned(Conflict, slug="contract-already-signed", title="The contract is already signed"): ...
