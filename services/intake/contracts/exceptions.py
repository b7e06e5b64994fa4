"""Contract errors."""

from services.common.errors import Conflict


class ContractNotReady(Conflict):
    slug, title = "contract-not-ready", "The contract is not ready"


class ContractAlreadySigned(Conflict):
    slug, title = "contract-already-signed", "The contract is already signed"
