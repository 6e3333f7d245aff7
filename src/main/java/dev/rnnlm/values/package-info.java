/**
 * Messages about invalid values that name the values in their writer's own terms: the packages
 * below the command line and the Spark ML API ({@code text}, {@code model}, {@code optim},
 * {@code data}, {@code io}) say which value was wrong, and the layer that knows what its users
 * call that value (an option's declaration in {@code train.TrainOptions}) renders the name:
 * {@code --lr} on the command line, {@code lr} as a Spark ML param. JDK only.
 */
package dev.rnnlm.values;
