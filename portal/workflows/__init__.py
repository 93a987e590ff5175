"""Workflows: the engine (states, transitions, relations, effects) and the
domain transitions built on it (borrowing, cases, handover)."""
from .engine import Input, Relation, State, T, Workflow, WorkflowEvent  # noqa: F401
