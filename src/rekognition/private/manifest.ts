/**
 * Synth-time checks of a SageMaker Ground Truth manifest for Rekognition Custom Labels:
 * JSON Lines, each an image's `source-ref` and its labels, in the image-level
 * classification or the bounding-box (object localization) form. Every rule cites its
 * page of the Custom Labels developer guide, under
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/:
 *
 * - md-create-manifest-file-classification.html and md-create-manifest-file-object-detection.html:
 *   the two line formats (required keys, a label attribute with its `-metadata`, an integer
 *   label value, a confidence between 0 and 1, `image_size` a one-element array of width,
 *   height and depth).
 * - md-create-manifest-file-validation-rules.html: blank lines count as (invalid) dataset
 *   objects; at most 250,000 lines; at least 2 and at most 250 labels; every image in one bucket.
 * - limits.html ("Guidelines and quotas"): a classification dataset needs 2 labels, a
 *   detection dataset 1; at most 50 bounding boxes per image; images of 64 to 4096 pixels
 *   per side; a manifest of at most 1 GB.
 * - tm-debugging-json-line-errors.html: ERROR_INVALID_BOUNDING_BOX (off the frame or
 *   negative), ERROR_BOUNDING_BOX_TOO_SMALL (1 x 1 pixels or less once the image is scaled
 *   to 1280 pixels), ERROR_TOO_MANY_BOUNDING_BOXES, ERROR_MISSING_BOUNDING_BOX_CONFIDENCE,
 *   ERROR_INVALID_IMAGE_DIMENSION, ERROR_INVALID_LABEL_NAME_LENGTH (256 characters).
 */

export const CLASSIFICATION_TYPE = 'groundtruth/image-classification';
export const OBJECT_DETECTION_TYPE = 'groundtruth/object-detection';
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])\/(.+)$/;
const METADATA_SUFFIX = '-metadata';
export const MAX_MANIFEST_LINES = 250_000;
export const MAX_MANIFEST_BYTES = 1024 ** 3;
export const MAX_LABELS = 250;
export const MAX_BOUNDING_BOXES = 50;
export const MAX_LABEL_NAME_LENGTH = 256;
const MIN_IMAGE_SIDE = 64;
const MAX_IMAGE_SIDE = 4096;
/** Training scales an image whose longer side is over 1280 pixels down to 1280 (ERROR_BOUNDING_BOX_TOO_SMALL). */
const TRAINING_SIDE = 1280;

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

/** What a valid line brings to the rules over the whole file. */
interface LineFacts {
  readonly bucket: string;
  readonly classLabels: string[];
  readonly detectionLabels: string[];
}

/** The first problem of a manifest, or undefined when every line and the file as a whole are valid. */
export function firstManifestProblem(text: string): ManifestProblem | undefined {
  const lines = text.split(/\r?\n/);
  // A file ends with a line break; the empty "line" after it is not a dataset object.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_MANIFEST_LINES) {
    return {
      line: MAX_MANIFEST_LINES + 1,
      message: `the manifest has ${lines.length} lines; Custom Labels takes at most `
      + `${MAX_MANIFEST_LINES.toLocaleString('en-US')} (one per image). Split the images over the TRAIN and TEST datasets, or fewer images`,
    };
  }
  if (lines.every((line) => line.trim() === '')) return { line: 1, message: 'the file holds no JSON line; a manifest has one line per image' };
  const classLabels = new Set<string>();
  const detectionLabels = new Set<string>();
  let firstBucket: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    if (lines[index].trim() === '') {
      return { line: index + 1, message: 'a blank line; Custom Labels counts it as an invalid image entry (validation rules), remove it' };
    }
    const result = lineFacts(lines[index]);
    if (typeof result === 'string') return { line: index + 1, message: result };
    firstBucket ??= result.bucket;
    if (result.bucket !== firstBucket) {
      return {
        line: index + 1,
        message: `the image is in bucket '${result.bucket}', but earlier images are in '${firstBucket}'; every image of a dataset `
        + 'must be in the same S3 bucket. Copy the images into one bucket',
      };
    }
    result.classLabels.forEach((label) => classLabels.add(label));
    result.detectionLabels.forEach((label) => detectionLabels.add(label));
  }
  const labels = new Set([...classLabels, ...detectionLabels]);
  if (labels.size > MAX_LABELS) {
    return { line: lines.length, message: `the manifest has ${labels.size} distinct labels; Custom Labels takes at most ${MAX_LABELS} per dataset` };
  }
  if (detectionLabels.size === 0 && classLabels.size < 2) {
    return {
      line: lines.length,
      message: `the manifest classifies images with ${classLabels.size} label (${[...classLabels].join(', ')}); a classification dataset `
      + 'needs at least 2 distinct labels. Add images of another label (for example "not-sunrise")',
    };
  }
  return undefined;
}

/** The facts of one line, or what is wrong with it. */
function lineFacts(line: string): LineFacts | string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return 'not valid JSON (a manifest holds one JSON object per line); write each image\'s entry on one line';
  }
  if (!isObject(entry)) return `expected a JSON object, got ${JSON.stringify(entry).slice(0, 60)}`;
  const sourceRef = entry['source-ref'];
  if (typeof sourceRef !== 'string') return "no 'source-ref': each line names its image as an s3:// URI in 'source-ref'";
  const uri = S3_URI.exec(sourceRef);
  if (!uri) return `'source-ref' is '${sourceRef}', expected an s3://BUCKET/KEY URI`;
  const labels = Object.keys(entry).filter((key) => key !== 'source-ref' && !key.endsWith(METADATA_SUFFIX));
  for (const key of Object.keys(entry).filter((k) => k.endsWith(METADATA_SUFFIX))) {
    if (!(key.slice(0, -METADATA_SUFFIX.length) in entry)) return `'${key}' has no label attribute '${key.slice(0, -METADATA_SUFFIX.length)}'`;
  }
  const labelled = labels.filter((key) => `${key}${METADATA_SUFFIX}` in entry);
  if (labelled.length === 0) {
    return "no label: a line needs at least one label attribute (e.g. 'my-label') with its metadata object ('my-label-metadata')";
  }
  const facts = { bucket: uri[1], classLabels: [] as string[], detectionLabels: [] as string[] };
  for (const key of labelled) {
    const problem = labelProblem(key, entry[key], entry[`${key}${METADATA_SUFFIX}`], facts);
    if (problem) return problem;
  }
  return facts;
}

function labelProblem(key: string, value: unknown, metadata: unknown, facts: LineFacts): string | undefined {
  const metadataKey = `${key}${METADATA_SUFFIX}`;
  if (!isObject(metadata)) return `'${metadataKey}' must be an object`;
  const missing = ['human-annotated', 'creation-date'].filter((field) => metadata[field] === undefined);
  if (missing.length > 0) return `'${metadataKey}' lacks ${missing.map((field) => `'${field}'`).join(' and ')}`;
  switch (metadata.type) {
    case CLASSIFICATION_TYPE: {
      if (typeof value !== 'number' || !Number.isInteger(value)) return `'${key}' must be an integer (the label attribute identifier) for ${CLASSIFICATION_TYPE}`;
      const className = metadata['class-name'];
      if (typeof className !== 'string') return `'${metadataKey}' needs a 'class-name' string for ${CLASSIFICATION_TYPE}`;
      const nameProblem = labelNameProblem(`'${metadataKey}' 'class-name'`, className);
      if (nameProblem) return nameProblem;
      const confidence = metadata.confidence;
      if (typeof confidence !== 'number' || confidence < 0 || confidence > 1) {
        return `'${metadataKey}' needs a 'confidence' number from 0 to 1 for ${CLASSIFICATION_TYPE}, got ${JSON.stringify(confidence)}; `
          + 'Custom Labels does not use it, write 1';
      }
      facts.classLabels.push(className);
      return undefined;
    }
    case OBJECT_DETECTION_TYPE:
      return detectionProblem(key, value, metadata, facts);
    default:
      return `'${metadataKey}' has type ${JSON.stringify(metadata.type)}; expected '${CLASSIFICATION_TYPE}' or '${OBJECT_DETECTION_TYPE}'`;
  }
}

function detectionProblem(key: string, value: unknown, metadata: Record<string, any>, facts: LineFacts): string | undefined {
  const metadataKey = `${key}${METADATA_SUFFIX}`;
  if (!isObject(value) || !Array.isArray(value.annotations) || !Array.isArray(value.image_size)) {
    return `'${key}' must be an object with 'image_size' and 'annotations' lists for ${OBJECT_DETECTION_TYPE}`;
  }
  const size = value.image_size;
  if (size.length !== 1 || !isObject(size[0]) || !['width', 'height', 'depth'].every((field) => typeof size[0][field] === 'number')) {
    return `'${key}' 'image_size' must be a one-element list [{"width": W, "height": H, "depth": D}] in pixels, got ${JSON.stringify(size).slice(0, 80)}`;
  }
  const { width: imageWidth, height: imageHeight } = size[0] as { width: number; height: number };
  if ([imageWidth, imageHeight].some((side) => side < MIN_IMAGE_SIDE || side > MAX_IMAGE_SIDE)) {
    return `'${key}' 'image_size' is ${imageWidth} x ${imageHeight} pixels; Custom Labels takes images of ${MIN_IMAGE_SIDE} to ${MAX_IMAGE_SIDE} `
      + 'pixels per side. Resize the image and its boxes';
  }
  if (value.annotations.length > MAX_BOUNDING_BOXES) {
    return `'${key}' has ${value.annotations.length} bounding boxes; Custom Labels takes at most ${MAX_BOUNDING_BOXES} per image. Remove some`;
  }
  const scale = Math.min(1, TRAINING_SIDE / Math.max(imageWidth, imageHeight));
  for (const [index, box] of (value.annotations as unknown[]).entries()) {
    const where = `'${key}' annotation ${index + 1}`;
    if (!isObject(box) || !['class_id', 'top', 'left', 'width', 'height'].every((field) => typeof box[field] === 'number')) {
      return `${where} needs numbers 'class_id', 'top', 'left', 'width' and 'height'`;
    }
    const { top, left, width, height } = box as Record<string, number>;
    if (top < 0 || left < 0 || width < 0 || height < 0 || left + width > imageWidth || top + height > imageHeight) {
      return `${where} (left ${left}, top ${top}, width ${width}, height ${height}) is not inside the ${imageWidth} x ${imageHeight} image; `
        + 'a box has no negative value and ends within the image (left + width <= width, top + height <= height)';
    }
    if (width * scale <= 1 || height * scale <= 1) {
      return `${where} is ${width} x ${height} pixels${scale < 1 ? ` (${+(width * scale).toFixed(2)} x ${+(height * scale).toFixed(2)} once training scales `
        + `the image to ${TRAINING_SIDE} pixels)` : ''}; a box must be larger than 1 x 1 pixels. Remove it or draw it larger`;
    }
  }
  const classMap = metadata['class-map'];
  if (!isObject(classMap)) return `'${metadataKey}' needs a 'class-map' object for ${OBJECT_DETECTION_TYPE}`;
  for (const name of Object.values(classMap)) {
    if (typeof name !== 'string') return `'${metadataKey}' 'class-map' maps IDs to label names (strings), got ${JSON.stringify(name)}`;
    const nameProblem = labelNameProblem(`'${metadataKey}' 'class-map'`, name);
    if (nameProblem) return nameProblem;
  }
  if (!Array.isArray(metadata.objects) || metadata.objects.length !== value.annotations.length) {
    return `'${metadataKey}' needs an 'objects' list with one entry per annotation of '${key}'`;
  }
  const unconfident = metadata.objects.findIndex((object: unknown) => !isObject(object) || typeof object.confidence !== 'number');
  if (unconfident >= 0) return `'${metadataKey}' 'objects' entry ${unconfident + 1} needs a 'confidence' number; Custom Labels does not use it, write 1`;
  const unmapped = value.annotations.find((a: Record<string, unknown>) => !(String(a.class_id) in classMap));
  if (unmapped) return `'${key}' has class_id ${unmapped.class_id}, which '${metadataKey}' 'class-map' does not name`;
  const used = new Set(value.annotations.map((a: Record<string, unknown>) => String(a.class_id)));
  facts.detectionLabels.push(...Object.entries(classMap).filter(([id]) => used.has(id)).map(([, name]) => name as string));
  return undefined;
}

function labelNameProblem(where: string, name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_LABEL_NAME_LENGTH) {
    return `${where} '${name.slice(0, 40)}${name.length > 40 ? '…' : ''}' has ${name.length} characters; a label name is 1-${MAX_LABEL_NAME_LENGTH}`;
  }
  return undefined;
}

/** The buckets the manifest's images are in, each with the longest key prefix (up to a '/') its images share. Bad lines are left out. */
export function imageLocations(text: string): ImageLocation[] {
  const keysByBucket = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    let sourceRef: unknown;
    try {
      sourceRef = JSON.parse(line)['source-ref'];
    } catch {
      continue;
    }
    const match = S3_URI.exec(String(sourceRef));
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
