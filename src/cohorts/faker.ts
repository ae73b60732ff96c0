/**
 * A fresh faker with English definitions. Reached through the English locale's own entry point: the package's
 * main entry loads every locale, which costs a few hundred milliseconds at start-up for each command that
 * reads a scenario.
 */
import type { Faker } from '@faker-js/faker';
import { faker as english } from '@faker-js/faker/locale/en';

const FakerClass = english.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/** A faker of its own (seed it before use): the same definitions as `new Faker({ locale: [en, base] })`. */
export function englishFaker(): Faker {
  return new FakerClass({ locale: english.rawDefinitions });
}
