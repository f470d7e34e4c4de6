import * as fs from 'fs';
import * as path from 'path';
import { ConsoleHub } from '../constructs/consolehub';
import { PROJECT_IMAGES } from '../constructs/images';
import { WebConsole } from '../constructs/webconsole';
import { KubeObject, parseManifests } from '../src/manifest';
import { allContainers, findObject, podSpec, synthStack } from './helpers';
import { README } from './readme-snippets';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Every `docker build -t <tag> -f <Dockerfile> <context>` of a text, as a reader would type it. */
function dockerBuilds(text: string): Array<{ tag: string; dockerfile: string; context: string }> {
  return [...text.matchAll(/docker build -t (\S+) -f (\S+) (\S+)/g)].map(([, tag, dockerfile, context]) => ({
    tag,
    dockerfile,
    context,
  }));
}

/** Every container image of `objects` with its pull policy. */
const images = (objects: KubeObject[]) =>
  allContainers(objects).map(({ container }) => ({
    image: container.image as string,
    pullPolicy: container.imagePullPolicy as string,
  }));

const readmeBuilds = dockerBuilds(fs.readFileSync(README, 'utf8'));
const dist = fs
  .readdirSync(DIST)
  .filter((f) => f.endsWith('.k8s.yaml'))
  .flatMap((f) => parseManifests(fs.readFileSync(path.join(DIST, f), 'utf8')));

describe('the images the walkthrough builds are the images the manifests run', () => {
  test("the README builds exactly the project's images, each from its Dockerfile (whose own comment says the same)", () => {
    expect([...new Set(readmeBuilds.map((b) => b.tag))].sort()).toEqual(Object.values(PROJECT_IMAGES).sort());
    expect(
      dockerBuilds(fs.readFileSync(path.join(ROOT, 'images', 'README.md'), 'utf8'))
        .map((b) => b.tag)
        .sort(),
    ).toEqual(Object.values(PROJECT_IMAGES).sort());
    for (const build of readmeBuilds) {
      const dockerfile = fs.readFileSync(path.join(ROOT, build.dockerfile), 'utf8');
      expect(fs.statSync(path.join(ROOT, build.context)).isDirectory()).toBe(true);
      expect(dockerBuilds(dockerfile)).toEqual([build]);
    }
  });

  test("the constructs' defaults are the project's images: WebConsole, and ConsoleHub with its users' consoles", () => {
    const console = synthStack((chart) => new WebConsole(chart, 'web'));
    expect(podSpec(findObject(console, 'Deployment', 'webconsole')).containers[0].image).toBe(
      PROJECT_IMAGES.webconsole,
    );
    const hub = synthStack((chart) => new ConsoleHub(chart, 'hub'));
    expect(images(hub).map((i) => i.image)).toEqual([PROJECT_IMAGES.webconsole, PROJECT_IMAGES.consolehub]);
  });

  test('dist/ runs only images the README builds (never pulled) or images from a registry (pulled)', () => {
    const built = new Set(readmeBuilds.map((b) => b.tag));
    const runs = images(dist);
    expect(runs.filter((i) => i.pullPolicy === 'Never').every((i) => built.has(i.image))).toBe(true);
    expect(runs.filter((i) => built.has(i.image)).every((i) => i.pullPolicy === 'Never')).toBe(true);
    // Both of the project's images run somewhere in dist/.
    expect([...new Set(runs.filter((i) => built.has(i.image)).map((i) => i.image))].sort()).toEqual([...built].sort());
    // An image that is neither built here nor named with a registry namespace would be docker.io/library/<name>:
    // only official images (redis) may be that.
    const bare = runs.map((i) => i.image).filter((image) => !image.includes('/'));
    expect([...new Set(bare)]).toEqual(['redis:7.2.5']);
  });
});
