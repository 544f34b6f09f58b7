"""Talking to Zyntro: the API client, request validation, and a local Zyntro-compatible sandbox."""

from agent.zyntro.client import ZyntroClient
from agent.zyntro.faults import Fault, FaultQueue
from agent.zyntro.sandbox import Sandbox
from agent.zyntro.sandbox_db import SandboxCreds
from agent.zyntro.validate import validate_profile_request

__all__ = ["Fault", "FaultQueue", "Sandbox", "SandboxCreds", "ZyntroClient", "validate_profile_request"]
