// The walkthrough's steps (package.json contributes.walkthroughs) each show an image made from the
// real UI (test/ui-vscode/exercise.test.ts makes them): it exists, is a PNG, ships in the .vsix,
// and stays small.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../../..');

interface Step {
  id: string;
  media: { image?: string; altText?: string; markdown?: string };
  completionEvents?: string[];
}

describe('the walkthrough "Get started with Netstack Explorer"', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { title: string; steps: Step[] }[] } };
  const w = pkg.contributes.walkthroughs.find((x) => x.title === 'Get started with Netstack Explorer');

  it('has its four steps, each with an image of the real UI under 150 KB and alt text', () => {
    assert.ok(w);
    assert.deepStrictEqual(w.steps.map((s) => s.id), ['openExample', 'stepPacket', 'hoverSymbol', 'firstExercise']);
    for (const s of w.steps) {
      assert.ok(s.media.image, `${s.id} has an image`);
      const file = path.join(ROOT, s.media.image);
      const bytes = fs.readFileSync(file);
      assert.deepStrictEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], `${s.media.image} is a PNG`);
      assert.ok(bytes.length < 150 * 1024, `${s.media.image} is ${Math.round(bytes.length / 1024)} KB`);
      assert.ok((s.media.altText ?? '').length > 20, `${s.id} says what the image shows`);
      assert.ok(s.completionEvents?.length, `${s.id} completes on something`);
    }
  });

  it('ships its images in the .vsix', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!media\/walkthrough\/\*\.png$/m);
  });
});
