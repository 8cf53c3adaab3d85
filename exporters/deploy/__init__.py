"""Live deployment with boto3: plan, apply (with rollback), re-apply, destroy.

    from exporters.deploy import plan, apply, destroy, sandbox
    with sandbox.running() as url:
        session = sandbox.session(arch.region)
        print(plan(arch, session, endpoint_url=url).format())
        result = apply(arch, session, "design.stratus-state.json", print, endpoint_url=url)

Every resource is tagged stratus:design=<design name> and stratus:managed=true; the state
file lists what was created. See apply.py for the guarantees.
"""

from .apply import ApplyResult, DestroyResult, apply, destroy, plan
from .events import Event, Message, ResourceEvent, StepFailed, StepFinished, StepStarted
from .planning import Plan, PlannedResource
from .state import State, state_path_for

__all__ = ["ApplyResult", "DestroyResult", "Event", "Message", "Plan", "PlannedResource",
           "ResourceEvent", "State", "StepFailed", "StepFinished", "StepStarted", "apply",
           "destroy", "plan", "state_path_for"]
