import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack starts the analyzer server, so nothing but the engine imports this file.
new PolicyPack("sapoche", { policies });
