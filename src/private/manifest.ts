/**
 * Synth-time checks of a SageMaker Ground Truth manifest for Rekognition Custom Labels:
 * JSON Lines, each an object whose `source-ref` is an `s3://` URI and which holds at
 * least one label attribute with its `-metadata` object, in the image-level
 * classification or the bounding-box (object localization) form. The formats are
 * described in the Custom Labels developer guide:
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/md-create-manifest-file-classification.html and
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/cd-manifest-files-object-detection.html
 */

export const CLASSIFICATION_TYPE = 'groundtruth/image-classification';
export const OBJECT_DETECTION_TYPE = 'groundtruth/object-detection';
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])\/(.+)$/;
const METADATA_SUFFIX = '-metadata';

/** A manifest's first problem, by line number (1-based). */
export interface ManifestProblem {
  readonly line: number;
  readonly message: string;
}

/** Where the images of a manifest are: each bucket and the longest key prefix its images share. */
export interface ImageLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** The first problem of a manifest, or undefined when every line is valid. */
export function firstManifestProblem(text: string): ManifestProblem | undefined {
  const lines = text.split(/\r?\n/);
  let entries = 0;
  for (let index = 0; index < lines.length; index++) {
    if (lines[index].trim() === '') continue;
    entries++;
    const message = lineProblem(lines[index]);
    if (message) return { line: index + 1, message };
  }
  if (entries === 0) return { line: 1, message: 'the file holds no JSON line; a manifest has one line per image' };
  return undefined;
}

function lineProblem(line: string): string | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return 'not valid JSON (a manifest holds one JSON object per line)';
  }
  if (!isObject(entry)) return `expected a JSON object, got ${JSON.stringify(entry).slice(0, 60)}`;
  const sourceRef = entry['source-ref'];
  if (typeof sourceRef !== 'string') return "no 'source-ref': each line names its image as an s3:// URI in 'source-ref'";
  if (!S3_URI.test(sourceRef)) return `'source-ref' is '${sourceRef}', expected an s3://BUCKET/KEY URI`;
  const labels = Object.keys(entry).filter((key) => key !== 'source-ref' && !key.endsWith(METADATA_SUFFIX));
  for (const key of Object.keys(entry).filter((k) => k.endsWith(METADATA_SUFFIX))) {
    if (!(key.slice(0, -METADATA_SUFFIX.length) in entry)) return `'${key}' has no label attribute '${key.slice(0, -METADATA_SUFFIX.length)}'`;
  }
  const labelled = labels.filter((key) => `${key}${METADATA_SUFFIX}` in entry);
  if (labelled.length === 0) {
    return "no label: a line needs at least one label attribute (e.g. 'my-label') with its metadata object ('my-label-metadata')";
  }
  for (const key of labelled) {
    const problem = labelProblem(key, entry[key], entry[`${key}${METADATA_SUFFIX}`]);
    if (problem) return problem;
  }
  return undefined;
}

function labelProblem(key: string, value: unknown, metadata: unknown): string | undefined {
  const metadataKey = `${key}${METADATA_SUFFIX}`;
  if (!isObject(metadata)) return `'${metadataKey}' must be an object`;
  const missing = ['human-annotated', 'creation-date'].filter((field) => metadata[field] === undefined);
  if (missing.length > 0) return `'${metadataKey}' lacks ${missing.map((field) => `'${field}'`).join(' and ')}`;
  switch (metadata.type) {
    case CLASSIFICATION_TYPE:
      if (typeof value !== 'number') return `'${key}' must be a number (the class ID) for ${CLASSIFICATION_TYPE}`;
      if (typeof metadata['class-name'] !== 'string') return `'${metadataKey}' needs a 'class-name' string for ${CLASSIFICATION_TYPE}`;
      if (typeof metadata.confidence !== 'number') return `'${metadataKey}' needs a 'confidence' number for ${CLASSIFICATION_TYPE}`;
      return undefined;
    case OBJECT_DETECTION_TYPE: {
      if (!isObject(value) || !Array.isArray(value.annotations) || !Array.isArray(value.image_size)) {
        return `'${key}' must be an object with 'image_size' and 'annotations' lists for ${OBJECT_DETECTION_TYPE}`;
      }
      const box = value.annotations.findIndex((a: unknown) => !isObject(a)
        || !['class_id', 'top', 'left', 'width', 'height'].every((field) => typeof a[field] === 'number'));
      if (box >= 0) return `'${key}' annotation ${box + 1} needs numbers 'class_id', 'top', 'left', 'width' and 'height'`;
      if (!isObject(metadata['class-map'])) return `'${metadataKey}' needs a 'class-map' object for ${OBJECT_DETECTION_TYPE}`;
      if (!Array.isArray(metadata.objects) || metadata.objects.length !== value.annotations.length) {
        return `'${metadataKey}' needs an 'objects' list with one entry per annotation of '${key}'`;
      }
      const unmapped = value.annotations.find((a: Record<string, unknown>) => !(String(a.class_id) in (metadata['class-map'] as object)));
      if (unmapped) return `'${key}' has class_id ${unmapped.class_id}, which '${metadataKey}' 'class-map' does not name`;
      return undefined;
    }
    default:
      return `'${metadataKey}' has type ${JSON.stringify(metadata.type)}; expected '${CLASSIFICATION_TYPE}' or '${OBJECT_DETECTION_TYPE}'`;
  }
}

/** The buckets a valid manifest's images are in, each with the longest key prefix (up to a '/') its images share. */
export function imageLocations(text: string): ImageLocation[] {
  const keysByBucket = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = S3_URI.exec(String(JSON.parse(line)['source-ref']));
    if (!match) continue;
    keysByBucket.set(match[1], [...keysByBucket.get(match[1]) ?? [], match[2]]);
  }
  return [...keysByBucket.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, keys]) => {
    let prefix = keys[0];
    for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
    return { bucket, prefix: prefix.slice(0, prefix.lastIndexOf('/') + 1) };
  });
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
