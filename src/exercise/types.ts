// An exercise as read from its YAML file (docs/exercises.md). Every expression keeps where it
// was written, so a goal that does not parse, or fails at check time, points at its line.
import type { Goal } from '../goals';
import type { SourcePos } from '../scenario/types';
import type { ExerciseKind } from './tracks';
import type { Part } from './keep';

/** A scenario the exercise runs: its text and the file name its positions are reported against. */
export interface ScenarioRef {
  text: string;
  file: string;
  /** set when the scenario is its own file (not inline): the path as written, relative to the exercise */
  path?: string;
  pos: SourcePos;
}

export interface Question {
  id: string;
  ask: string;
  answer: Goal;
  answerPos: SourcePos;
  /** wrong answers offered beside the computed one */
  distractors: string[];
  pos: SourcePos;
}

export interface FixGoal {
  expect: string;
  check: Goal;
  pos: SourcePos;
}

export interface KernelPointer {
  file: string;
  function: string;
  pos: SourcePos;
}

export interface Exercise {
  file: string;
  id: string;
  title: string;
  track: string;
  order: number;
  kind: ExerciseKind;
  learn: string[];
  scenario: ScenarioRef;
  task: string;
  hints: string[];
  kernel: KernelPointer[];
  questions: Question[];
  /** find: the event condition a right position meets */
  target?: Goal;
  targetPos?: SourcePos;
  goals: FixGoal[];
  solution?: ScenarioRef;
  /** fix: the parts of the scenario the learner may change (src/exercise/keep.ts); the rest must stay */
  change?: Part[];
}
