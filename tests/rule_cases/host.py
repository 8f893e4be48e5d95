"""Positive and negative cases: the host's CPU architecture and its Docker daemon.

Every line is copied from the public report named next to it; the runtime problems are the
messages wbtui's own Docker backend raises (wbtui/runtime/docker/errors.py).
"""

from __future__ import annotations

from .base import Case

DAEMON_DOWN = ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
               "Is the docker daemon running?")  # [public] wandb/wandb#4920
WINDOWS_PIPE = ('error during connect: In the default daemon configuration on Windows, the docker client must be run '
                'with elevated privileges to connect.: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/containers/'
                'json?filters=%7B%22name%22%3A%7B%22wandb-local%22%3Atrue%7D%7D": open //./pipe/docker_engine: The '
                'system cannot find the file specified.')  # [public] wandb/wandb#3803
SOCKET_DENIED = ("docker: Got permission denied while trying to connect to the Docker daemon socket at "
                 "unix:///var/run/docker.sock: Post http://%2Fvar%2Frun%2Fdocker.sock/v1.40/containers/create?"
                 "name=supervisely-agent-nvIRrxReD45ZBGxFQzVTlI1vV1ALy1H4: dial unix /var/run/docker.sock: "
                 "connect: permission denied.")  # [public] NVIDIA/nvidia-docker#1138
QEMU_CRASH = "qemu: uncaught target signal 11 (Segmentation fault) - core dumped"  # [public] getporter/porter#2397
OTHER_SEGFAULT = ("/home/aws-glue-libs/bin/glue-setup.sh: line 19:    30 Segmentation fault      "
                  )  # [public] docker/for-mac#5711
PLATFORM_NOT_SUPPORTED = ("docker: Error response from daemon: platform linux/arm64/v8 not "
                          "supported.")  # [public] wandb/wandb#4742
EXEC_FORMAT = 'standard_init_linux.go:178: exec user process caused "exec format error"'  # [public] clue/docker-h5ai#9
EXEC_FORMAT_ENTRYPOINT = ("tiny-server-mongodb-1  | exec /opt/bitnami/scripts/mongodb/entrypoint.sh: "
                          "exec format error")  # [public] docker/compose#10213
PLATFORM_WARNING = ("WARNING: The requested image's platform (linux/amd64) does not match the detected host platform "
                    "(linux/arm64/v8) and no specific platform was requested")  # [public] wandb/wandb#4742
UNREACHABLE = ("unreachable", "Docker daemon not reachable at unix:///var/run/docker.sock: connection refused")
K8S_UNREACHABLE = ("unreachable", "Kubernetes API server https://10.0.0.1:6443 is unavailable (503 Service "
                                  "Unavailable): the server is currently unable to handle the request")
DENIED = ("permission-denied", "permission denied on the Docker socket /var/run/docker.sock")
RBAC = ("permission-denied", "Kubernetes RBAC: deployments.apps is forbidden")

CASES = [
    Case("docker-daemon-down", True, [DAEMON_DOWN]),
    Case("docker-daemon-down", True, [WINDOWS_PIPE]),
    Case("docker-daemon-down", False, [SOCKET_DENIED], problems=[K8S_UNREACHABLE]),
    Case("docker-daemon-down", True, problems=[UNREACHABLE]),  # the runtime's own report of the daemon
    Case("docker-socket-denied", True, [SOCKET_DENIED]),
    Case("docker-socket-denied", True, problems=[DENIED]),
    Case("docker-socket-denied", False, [DAEMON_DOWN], problems=[RBAC]),
    Case("emulation-crash", True, [PLATFORM_WARNING, QEMU_CRASH]),
    Case("emulation-crash", False, [OTHER_SEGFAULT]),
    Case("host-arch-unsupported", True, [PLATFORM_WARNING, PLATFORM_NOT_SUPPORTED]),
    Case("host-arch-unsupported", True, [EXEC_FORMAT]),
    Case("host-arch-unsupported", True, [EXEC_FORMAT_ENTRYPOINT]),
    Case("host-arch-unsupported", False, [PLATFORM_WARNING]),
    Case("host-arch-mismatch", True, [PLATFORM_WARNING]),
    Case("host-arch-mismatch", False, [DAEMON_DOWN, QEMU_CRASH]),
]
