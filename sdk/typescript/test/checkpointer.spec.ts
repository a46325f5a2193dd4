// LangGraph.js's own checkpointer validation suite (@langchain/langgraph-checkpoint-validation: getTuple,
// list, put, putWrites, deleteThread) against MemSidecarSaver, run by vitest (the suite is written for it).
// Its CLI (validate-checkpointer) fails to import any initializer in 1.1.1 ("findPackageRoot is not a
// function"), so the library entry point is used, as its README offers.
import { type CheckpointSaverTestInitializer, validate } from "@langchain/langgraph-checkpoint-validation";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import initializer from "./checkpointer-initializer.js";

// the suite's initializer type fixes numeric channel versions; ours are the Python savers' strings
validate(initializer as unknown as CheckpointSaverTestInitializer<BaseCheckpointSaver>);
