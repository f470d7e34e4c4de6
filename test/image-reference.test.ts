import { imageReferenceProblem, isPinned, parseImageReference } from '../src/manifest/image-reference';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image references', () => {
  test.each([
    ['redis', { path: 'redis' }],
    ['redis:7.2-alpine', { path: 'redis', tag: '7.2-alpine' }],
    ['jpetazzo/dockercoins_worker:v0.1', { path: 'jpetazzo/dockercoins_worker', tag: 'v0.1' }],
    ['ghcr.io/org/app:1.0', { domain: 'ghcr.io', path: 'org/app', tag: '1.0' }],
    ['localhost:5000/app', { domain: 'localhost:5000', path: 'app' }],
    ['localhost/app:1', { domain: 'localhost', path: 'app', tag: '1' }],
    ['registry:5000/a/b-c__d:tag_1', { domain: 'registry:5000', path: 'a/b-c__d', tag: 'tag_1' }],
    [`app@${DIGEST}`, { path: 'app', digest: DIGEST }],
    [`quay.io/app:1@${DIGEST}`, { domain: 'quay.io', path: 'app', tag: '1', digest: DIGEST }],
    ['[::1]:5000/app:1', { domain: '[::1]:5000', path: 'app', tag: '1' }],
  ])('%s', (text, parts) => {
    expect(parseImageReference(text)).toEqual({ domain: undefined, tag: undefined, digest: undefined, ...parts });
  });

  test.each([
    ['Redis:::bad', /repository "Redis::"/],
    ['REGISTRY.example.com/app:1', /registry "REGISTRY.example.com"/],
    ['MyRegistry/app:1', /registry "MyRegistry"/],
    ['App', /repository "App"/],
    ['app:', /tag ""/],
    ['app:-x', /tag "-x"/],
    [`app:${'x'.repeat(129)}`, /tag/],
    ['app@sha256:abc', /digest/],
    ['app@', /digest/],
    ['', /empty/],
    ['a//b', /repository/],
    ['a/b-', /repository/],
    [' app', /repository/],
  ])('%s is invalid', (text, reason) => {
    expect(imageReferenceProblem(text)).toMatch(reason);
  });

  test('pinned: a digest or a tag other than latest', () => {
    expect(isPinned(parseImageReference('app:1'))).toBe(true);
    expect(isPinned(parseImageReference(`app@${DIGEST}`))).toBe(true);
    expect(isPinned(parseImageReference('app:latest'))).toBe(false);
    expect(isPinned(parseImageReference('registry:5000/app'))).toBe(false);
  });
});
