import { z } from 'zod';

const text = (max: number) => z.string().min(1, 'must not be empty').max(max);
const breakOption = z.enum(['signature', 'nonce', 'appid'], {
  error: 'break must be signature, nonce or appid',
});
const base = { break: breakOption.optional() };

/** What a simulated user can do: the body of `POST /sim/api/users/:openid/actions`. */
export const actionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('follow'), scene: text(64).optional(), ...base }),
    z.strictObject({ type: z.literal('unfollow'), ...base }),
    z.strictObject({ type: z.literal('text'), text: text(2048), ...base }),
    z.strictObject({
      type: z.literal('image'),
      picUrl: z.url().max(1024).optional(),
      mediaId: text(128).optional(),
      ...base,
    }),
    z.strictObject({
      type: z.literal('voice'),
      mediaId: text(128).optional(),
      format: z.enum(['amr', 'speex']).optional(),
      recognition: z.string().max(2048).optional(),
      ...base,
    }),
    z.strictObject({
      type: z.literal('location'),
      x: z.number().min(-90).max(90),
      y: z.number().min(-180).max(180),
      scale: z.number().int().min(1).max(20).optional(),
      label: z.string().max(200).optional(),
      ...base,
    }),
    z.strictObject({
      type: z.literal('link'),
      title: text(200),
      description: z.string().max(2048).optional(),
      url: z.url().max(1024),
      ...base,
    }),
    z.strictObject({ type: z.literal('click'), key: text(128), ...base }),
    z.strictObject({ type: z.literal('view'), url: text(1024), ...base }),
    z.strictObject({ type: z.literal('scan'), scene: text(64), ...base }),
  ],
  {
    error:
      'type must be one of follow, unfollow, text, image, voice, location, link, click, view, scan',
  },
);

export type Action = z.infer<typeof actionSchema>;
