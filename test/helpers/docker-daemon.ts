/** Where the Docker driver's tests find their daemon (see scripts/test-dockerd.sh and test/global-setup.ts). */
export interface DockerTestEnv {
  /** Unix socket of the test daemon. */
  readonly socketPath: string;
  /** A local image with busybox (sh, httpd, ...), imported by scripts/test-dockerd.sh; never pulled. */
  readonly image: string;
}

/**
 * The test daemon from `CLOUDLETD_TEST_DOCKER_SOCKET` and `CLOUDLETD_TEST_DOCKER_IMAGE` (set by `.ci/run`, or by the
 * global setup which starts a private daemon when dockerd is installed). Throws a message saying how to get one.
 */
export function dockerTestEnv(): DockerTestEnv {
  const socketPath = process.env.CLOUDLETD_TEST_DOCKER_SOCKET;
  const image = process.env.CLOUDLETD_TEST_DOCKER_IMAGE;
  if (!socketPath || !image) {
    throw new Error('no test Docker daemon: install docker.io and busybox-static (Debian), or set CLOUDLETD_TEST_DOCKER_SOCKET and CLOUDLETD_TEST_DOCKER_IMAGE (scripts/test-dockerd.sh start DIR prints them)');
  }
  return { socketPath, image };
}
