"""Positive and negative cases: How the container or pod ended or failed to run."""

from __future__ import annotations

from wbtui.runtime.base import PodStatus

from .base import DOCKER_KILL, OOM_EVENTS, STOP_TIMED_OUT, Case, exited_137, status

PORT_ALLOCATED = ("Error response from daemon: driver failed programming external connectivity on endpoint "
                  "airflow-tutorial-webserver-1 (f02a3d36681d5ec32f9ac0aa2c65b1b7cf48aa3789276966b705d2f78a8ddc72): "
                  "Bind for 0.0.0.0:8080 failed: port is already allocated")  # [public] tuanavu/airflow-tutorial#57
ADDRESS_IN_USE = ("ERROR: for web  Cannot start service web: driver failed programming external connectivity on "
                  "endpoint 523a25a1f29c_wand_web_1 "
                  "(5df62252b95e007eae2db3900fdba1735cb1310b846cf4ef75d46c614787aeef): "
                  "Error starting userland proxy: listen tcp 0.0.0.0:80: bind: address already in use"
                  )  # [public] solero/wand#2
NGINX_LINK = ("ln: failed to create symbolic link '/etc/nginx/sites-enabled/wandb.conf': "
              "File exists")  # [public] wandb/server#36, wandb/server#19
SERVICES_MOVED = "mv: cannot stat '/home/wandb/service/*': No such file or directory"  # [public] wandb/server#19
FIRST_START = ["*** Running /etc/my_init.d/01_enable-services.sh...", "*** Copying services to runit",
               "*** Enabling production mode"]  # [public] wandb/server#36 (these also begin every healthy start)

CASES = [
    Case("port-in-use", True, [PORT_ALLOCATED]),
    Case("port-in-use", True, [ADDRESS_IN_USE]),
    Case("port-in-use", True, problems=[("port-in-use", "host port 8080 is already in use")]),
    Case("port-in-use", False, ["*** Access W&B at http://localhost:8080"],  # [public] wandb/server#41
         problems=[("unreachable", "daemon down")]),
    Case("oom-killed", True, status=status(state="exited", exit_code=137, oom_killed=True)),
    Case("oom-killed", True, status=exited_137(oom=True), events=OOM_EVENTS),
    Case("oom-killed", True, status=exited_137(), events=OOM_EVENTS),  # the oom event without the flag
    Case("oom-killed", False, status=exited_137(), events=STOP_TIMED_OUT),  # exit 137 alone is not OOM
    Case("oom-killed", False, status=exited_137(), events=DOCKER_KILL),
    Case("oom-killed", False, status=status(state="exited", exit_code=137)),
    Case("stop-timed-out", True, status=exited_137(), events=STOP_TIMED_OUT),
    Case("stop-timed-out", False, status=exited_137(), events=DOCKER_KILL),
    Case("stop-timed-out", False, status=exited_137(oom=True), events=STOP_TIMED_OUT),
    Case("stop-timed-out", False, status=exited_137(),  # an earlier run's stop, then this run was killed
         events=[*STOP_TIMED_OUT, *DOCKER_KILL]),
    Case("killed", True, status=exited_137(), events=DOCKER_KILL),
    Case("killed", True, status=exited_137()),  # no event left in the window: still SIGKILL, not OOM
    Case("killed", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137)])),
    Case("killed", False, status=exited_137(), events=STOP_TIMED_OUT),
    Case("killed", False, status=exited_137(oom=True), events=DOCKER_KILL),
    Case("killed", False, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137,
                                                        oom_killed=True)])),
    Case("oom-killed", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137,
                                                           oom_killed=True)])),
    Case("oom-killed", False, status=status(state="exited", exit_code=1)),
    Case("restart-existing-container", True, [*FIRST_START, NGINX_LINK]),
    Case("restart-existing-container", True, [SERVICES_MOVED]),
    Case("restart-existing-container", False, FIRST_START),
    Case("restart-loop", True, status=status(state="restarting", restart_count=3, uptime_seconds=2)),
    Case("restart-loop", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 7,
                                                             reason="CrashLoopBackOff")], reason="CrashLoopBackOff")),
    Case("restart-loop", False, status=status(restart_count=5, uptime_seconds=3 * 86400)),
    Case("restart-loop", False, status=status(restart_count=1, uptime_seconds=5)),
    Case("image-missing", True, problems=[("image-missing", "image wandb/local:0.99.9 is not on this host and "
                                                           "cannot be pulled")]),
    Case("image-missing", True, status=status(state="failed", reason="ImagePullBackOff",
                                              message='Back-off pulling image "wandb/local:0.99.9"')),
    Case("image-missing", False, status=status(state="failed", reason="CrashLoopBackOff")),
    Case("unschedulable", True, status=status(state="pending", reason="Unschedulable", pods=[
        PodStatus("wandb-7d9f-x2", "Pending", False, 0, reason="Unschedulable",
                  message="0/3 nodes are available: 3 Insufficient memory.")])),
    Case("unschedulable", False, status=status(state="pending", reason="ContainerCreating")),
    Case("not-ready-in-window", True, timed_out=True),
    Case("not-ready-in-window", False, timed_out=False),
]
