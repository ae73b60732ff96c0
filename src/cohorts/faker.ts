/**
 * A fresh faker with English definitions, loaded on first use: commands that only read a scenario (validate,
 * --help) never pay for it. Reached through the English locale's own entry point, since the package's main
 * entry loads every locale.
 */
import { createRequire } from 'node:module';
import type { Faker } from '@faker-js/faker';

type FakerClass = new (options: { locale: Faker['rawDefinitions'] }) => Faker;
let english: Faker | undefined;

/** A faker of its own (seed it before use): the same definitions as `new Faker({ locale: [en, base] })`. */
export function englishFaker(): Faker {
  english ??= (createRequire(import.meta.url)('@faker-js/faker/locale/en') as { faker: Faker }).faker;
  return new (english.constructor as FakerClass)({ locale: english.rawDefinitions });
}
